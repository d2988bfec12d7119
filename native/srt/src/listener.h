// One SRT listener in live mode (no N-API in here): binds UDP host:port, decides each caller in libsrt's listen
// callback from the KeyTable (stream key -> passphrase), accepts and reads connections on its own epoll thread,
// and hands everything that happens to JavaScript as Events on a bounded queue, waking the JS side through
// `EventSink::wake` (a thread-safe function in addon.cc) at most once per drain.
//
// Threads: libsrt's receiver thread runs the listen callback (must never wait: it also carries every accepted
// connection's packets on this port); our I/O thread runs accept/read/flush/timeouts; the JS thread drains
// events and issues commands (set keys, close a connection, read stats, close the listener).
#pragma once

#include <srt/srt.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "key-table.h"

namespace openivs_srt {

using Clock = std::chrono::steady_clock;

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 9000;
  /** SRTO_RCVLATENCY: the receiver's buffering for retransmission (the caller's own latency may raise it). */
  int latencyMs = 120;
  /** SRTO_PEERIDLETIMEO: a peer silent (not even keepalives) this long is dropped by libsrt. */
  int peerIdleTimeoutMs = 5000;
  /** A connection that delivers no media for this long (also right after the handshake) is closed. */
  int idleTimeoutMs = 10000;
  /** Accepted connections plus handshakes in flight. */
  int maxConnections = 64;
  /** Handshakes accepted by the callback but not yet accepted by us (or failed in libsrt). */
  int maxPending = 32;
  /** srt_listen backlog: completed handshakes waiting for our accept. */
  int backlog = 16;
  /** SRTO_RCVBUF per connection, bytes: bounds libsrt's buffering of one caller. */
  int rcvBufBytes = 6 * 1024 * 1024;
  /** Data is handed to JS in batches of at most this many bytes ... */
  int batchBytes = 64 * 1024;
  /** ... or after this long, whichever comes first. */
  int flushMs = 20;
  /** Undrained data per connection above this is dropped (and counted) rather than queued. */
  int maxQueuedBytes = 8 * 1024 * 1024;
  /** How long a handshake the callback accepted may take to complete before it counts as failed. */
  int handshakeTimeoutMs = 5000;
};

struct ConnStats {
  uint64_t bytesReceived = 0;
  int64_t packetsReceived = 0;
  int packetsLost = 0;
  int packetsRetransmitted = 0;
  int packetsDropped = 0;
  int packetsUndecrypted = 0;
  double rttMs = 0;
  double receiveRateMbps = 0;
  int latencyMs = 0;
  /** Bytes libsrt delivered that we dropped because JS did not drain them in time. */
  uint64_t bytesDroppedQueue = 0;
};

/** Shared between a connection (I/O thread) and its queued data (JS thread): bytes not yet drained by JS. */
struct QueueAccount {
  std::atomic<int64_t> queuedBytes{0};
  /** Bytes libsrt delivered that were dropped because JS had not drained the earlier ones. */
  std::atomic<uint64_t> droppedBytes{0};
};

struct Event {
  /** End: the listener has shut down; nothing follows. */
  enum class Kind { Accepted, Data, Closed, Rejected, End };
  Kind kind = Kind::Data;
  int32_t id = -1;
  // Accepted and Rejected
  std::string address;
  int port = 0;
  // Accepted
  std::string streamId;
  std::string key;
  bool encrypted = false;
  int latencyMs = 0;
  // Data: malloc'd, ownership passes to the JS Buffer
  uint8_t* data = nullptr;
  size_t size = 0;
  std::shared_ptr<QueueAccount> account;
  // Closed and Rejected
  std::string reason;
  int rejectCode = 0;
  /** Accepted and Rejected: the stream key asks for encryption. */
  bool secure = false;
  ConnStats stats;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  /** Called (from any thread, never blocking) after events were queued. */
  virtual void wake() = 0;
};

class Listener {
 public:
  Listener(ListenerOptions options, EventSink* sink);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /** Binds and starts the I/O thread; throws std::runtime_error with libsrt's message on failure. */
  void start();
  /** Stops accepting, closes every connection and joins the I/O thread. Idempotent. */
  void shutdown(bool emitEvents);

  int boundPort() const { return boundPort_; }
  KeyTable& keys() { return keys_; }
  /** Refuses every caller from `address` (as formatted in events) for `ms` (0 lifts it), before any key lookup:
   * the wrong-key throttle of JavaScript, applied where the handshakes are decided. */
  void blockAddress(const std::string& address, int ms);
  /** Asks the I/O thread to close a connection; a Closed event follows with `reason`. */
  void requestClose(int32_t id, const std::string& reason);
  bool stats(int32_t id, ConnStats* out) const;
  /** Moves queued events to `out`, stopping once they carry `maxBytes` of data; true when more remain. */
  bool drain(std::deque<Event>* out, size_t maxBytes);

 private:
  struct Conn {
    SRTSOCKET sock = SRT_INVALID_SOCK;
    Clock::time_point lastDataAt;
    Clock::time_point batchStartedAt;
    /** The caller has gone: packets still held for TSBPD are read until this time, then the connection closes. */
    bool draining = false;
    Clock::time_point drainUntil;
    int latencyMs = 0;
    /** libsrt answers no statistics once a socket is broken, so the last good reading is kept for Closed. */
    ConnStats lastStats;
    Clock::time_point lastStatsAt;
    uint8_t* batch = nullptr;
    size_t batchLen = 0;
    std::shared_ptr<QueueAccount> account = std::make_shared<QueueAccount>();
  };
  struct Pending {
    Clock::time_point at;
    std::string address;
    int port = 0;
    std::string key;
    bool secure = false;
  };

  static int listenCallback(void* opaque, SRTSOCKET ns, int hsVersion, const struct sockaddr* peer, const char* streamId);
  int onCaller(SRTSOCKET ns, int hsVersion, const struct sockaddr* peer, const char* streamId);

  void run();
  void acceptAll();
  /** Reads what libsrt has; false when the socket reported an error other than "nothing yet". */
  bool readAll(Conn& c);
  void startDrain(Conn& c);
  void flush(Conn& c);
  void closeConn(SRTSOCKET sock, const std::string& reason, bool emit);
  void runCommands();
  void checkTimers();
  void checkPending(Clock::time_point now);
  /** Queues an event and wakes JS; `droppable` events (refusal notices) are bounded in number. */
  void push(Event ev, bool droppable);
  bool collectStats(SRTSOCKET sock, uint64_t droppedBytes, ConnStats* out) const;

  ListenerOptions opt_;
  EventSink* sink_;
  KeyTable keys_;
  SRTSOCKET lsn_ = SRT_INVALID_SOCK;
  int eid_ = -1;
  int boundPort_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  bool shutDown_ = false;
  std::mutex lifecycleMu_;

  // The callback's view: closing flag, pending handshakes, connection count.
  std::mutex callbackMu_;
  bool closing_ = false;
  std::map<SRTSOCKET, Pending> pending_;
  std::atomic<int> connCount_{0};
  /** Addresses refused until a time (the key throttle); bounded, expired entries pruned on insert. */
  std::unordered_map<std::string, Clock::time_point> blocked_;

  std::map<SRTSOCKET, Conn> conns_;  // I/O thread only

  mutable std::mutex commandMu_;
  std::vector<std::pair<int32_t, std::string>> closeRequests_;
  std::map<SRTSOCKET, std::shared_ptr<QueueAccount>> accounts_;

  std::mutex eventMu_;
  std::deque<Event> events_;
  size_t queuedNotices_ = 0;
  uint64_t droppedNotices_ = 0;
  /** Set at the end of shutdown: the sink may be gone, so late callbacks queue nothing. */
  bool sinkClosed_ = false;
  std::atomic<bool> emitEvents_{true};
};

}  // namespace openivs_srt
