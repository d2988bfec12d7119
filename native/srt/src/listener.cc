// See listener.h. Lock order: never call into libsrt while holding callbackMu_ (libsrt holds its own locks
// when it runs the listen callback, which takes callbackMu_), so pending handshakes are copied out first.

#include "listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <srt/access_control.h>

#include "stream-id.h"

namespace openivs_srt {

namespace {

/** Room for one live-mode SRT payload (SRTO_PAYLOADSIZE is at most 1456). */
constexpr size_t kMaxPacket = 1500;
/** Rejection notices waiting for JS beyond this are counted and dropped (a handshake flood costs no memory). */
constexpr size_t kMaxQueuedNotices = 1024;
/** A handshake the callback accepted is checked for failure after this long. */
constexpr auto kPendingCheckAfter = std::chrono::milliseconds(250);
/** How often a connection's statistics are sampled for its Closed event. */
constexpr int64_t kStatsEveryMs = 250;

std::string lastError(const char* what) {
  return std::string(what) + ": " + srt_getlasterror_str();
}

template <typename T>
void setFlag(SRTSOCKET s, SRT_SOCKOPT opt, T value, const char* name) {
  if (srt_setsockflag(s, opt, &value, sizeof value) != 0) throw std::runtime_error(lastError(name));
}

void formatAddress(const struct sockaddr* sa, std::string* address, int* port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa != nullptr && sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    *port = ntohs(in->sin_port);
  } else if (sa != nullptr && sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    *port = ntohs(in6->sin6_port);
  } else {
    *port = 0;
  }
  *address = buf;
}

int64_t msSince(Clock::time_point then, Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - then).count();
}

}  // namespace

Listener::Listener(ListenerOptions options, EventSink* sink) : opt_(std::move(options)), sink_(sink) {}

Listener::~Listener() {
  shutdown(false);
  for (auto& ev : events_) std::free(ev.data);
}

void Listener::start() {
  std::lock_guard<std::mutex> life(lifecycleMu_);
  struct addrinfo hints {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  struct addrinfo* ai = nullptr;
  std::string portText = std::to_string(opt_.port);
  int gai = getaddrinfo(opt_.host.c_str(), portText.c_str(), &hints, &ai);
  if (gai != 0 || ai == nullptr) throw std::runtime_error("invalid listen address " + opt_.host + ": " + gai_strerror(gai));
  std::unique_ptr<struct addrinfo, void (*)(struct addrinfo*)> aiGuard(ai, freeaddrinfo);

  lsn_ = srt_create_socket();
  if (lsn_ == SRT_INVALID_SOCK) throw std::runtime_error(lastError("srt_create_socket"));
  try {
    setFlag<int>(lsn_, SRTO_TRANSTYPE, SRTT_LIVE, "SRTO_TRANSTYPE");
    setFlag<bool>(lsn_, SRTO_RCVSYN, false, "SRTO_RCVSYN");
    setFlag<bool>(lsn_, SRTO_SNDSYN, false, "SRTO_SNDSYN");
    setFlag<int>(lsn_, SRTO_RCVLATENCY, opt_.latencyMs, "SRTO_RCVLATENCY");
    setFlag<int>(lsn_, SRTO_PEERIDLETIMEO, opt_.peerIdleTimeoutMs, "SRTO_PEERIDLETIMEO");
    setFlag<int>(lsn_, SRTO_RCVBUF, opt_.rcvBufBytes, "SRTO_RCVBUF");
    // A caller whose encryption does not match the passphrase set in the callback fails the handshake.
    setFlag<bool>(lsn_, SRTO_ENFORCEDENCRYPTION, true, "SRTO_ENFORCEDENCRYPTION");
    if (ai->ai_family == AF_INET6) setFlag<int>(lsn_, SRTO_IPV6ONLY, 0, "SRTO_IPV6ONLY");
    if (srt_listen_callback(lsn_, &Listener::listenCallback, this) != 0) throw std::runtime_error(lastError("srt_listen_callback"));
    if (srt_bind(lsn_, ai->ai_addr, static_cast<int>(ai->ai_addrlen)) != 0) {
      throw std::runtime_error(lastError(("bind " + opt_.host + ":" + portText).c_str()));
    }
    if (srt_listen(lsn_, opt_.backlog) != 0) throw std::runtime_error(lastError("srt_listen"));
    struct sockaddr_storage bound {};
    int boundLen = sizeof bound;
    if (srt_getsockname(lsn_, reinterpret_cast<sockaddr*>(&bound), &boundLen) != 0) throw std::runtime_error(lastError("srt_getsockname"));
    std::string ignored;
    formatAddress(reinterpret_cast<sockaddr*>(&bound), &ignored, &boundPort_);
    eid_ = srt_epoll_create();
    if (eid_ < 0) throw std::runtime_error(lastError("srt_epoll_create"));
    srt_epoll_set(eid_, SRT_EPOLL_ENABLE_EMPTY);
    int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
    if (srt_epoll_add_usock(eid_, lsn_, &events) != 0) throw std::runtime_error(lastError("srt_epoll_add_usock"));
  } catch (...) {
    if (eid_ >= 0) srt_epoll_release(eid_);
    eid_ = -1;
    srt_close(lsn_);
    lsn_ = SRT_INVALID_SOCK;
    throw;
  }
  started_ = true;
  thread_ = std::thread(&Listener::run, this);
}

void Listener::shutdown(bool emitEvents) {
  std::lock_guard<std::mutex> life(lifecycleMu_);
  if (shutDown_) return;
  shutDown_ = true;
  emitEvents_ = emitEvents;
  {
    std::lock_guard<std::mutex> lock(callbackMu_);
    closing_ = true;
  }
  if (started_) {
    stop_ = true;
    thread_.join();  // the I/O loop wakes at least every flushMs; it closes every connection on its way out
  }
  if (lsn_ != SRT_INVALID_SOCK) srt_close(lsn_);
  lsn_ = SRT_INVALID_SOCK;
  if (eid_ >= 0) srt_epoll_release(eid_);
  eid_ = -1;
  if (emitEvents && started_) {
    Event end;
    end.kind = Event::Kind::End;
    push(std::move(end), false);
  }
  std::lock_guard<std::mutex> lock(eventMu_);
  sinkClosed_ = true;
}

int Listener::listenCallback(void* opaque, SRTSOCKET ns, int hsVersion, const struct sockaddr* peer, const char* streamId) {
  try {
    return static_cast<Listener*>(opaque)->onCaller(ns, hsVersion, peer, streamId);
  } catch (...) {
    srt_setrejectreason(ns, SRT_REJX_ISE);
    return -1;
  }
}

// Runs on libsrt's receiver thread: table lookups and a short critical section only, never a wait on JS.
int Listener::onCaller(SRTSOCKET ns, int hsVersion, const struct sockaddr* peer, const char* streamId) {
  Event rej;
  rej.kind = Event::Kind::Rejected;
  formatAddress(peer, &rej.address, &rej.port);
  auto refuse = [&](int code, const char* reason) {
    srt_setrejectreason(ns, code);
    rej.rejectCode = code;
    rej.reason = reason;
    push(std::move(rej), true);
    return -1;
  };
  {
    std::lock_guard<std::mutex> lock(callbackMu_);
    auto it = blocked_.find(rej.address);
    if (it != blocked_.end()) {
      if (Clock::now() < it->second) {
        srt_setrejectreason(ns, SRT_REJX_FORBIDDEN);
        rej.rejectCode = SRT_REJX_FORBIDDEN;
        rej.reason = "throttled";
      } else {
        blocked_.erase(it);
      }
    }
  }
  if (rej.rejectCode != 0) {
    push(std::move(rej), true);
    return -1;
  }
  StreamIdParse parsed = hsVersion >= 5 ? parseStreamId(streamId) : StreamIdParse{false, "", SRT_REJX_BAD_REQUEST};
  if (!parsed.ok) return refuse(parsed.rejectCode, "bad-stream-id");
  std::optional<std::string> passphrase = keys_.lookup(parsed.key);
  if (!passphrase) return refuse(SRT_REJX_FORBIDDEN, "unknown-key");
  {
    std::lock_guard<std::mutex> lock(callbackMu_);
    if (closing_) {
      srt_setrejectreason(ns, SRT_REJX_DOWN);
      return -1;
    }
    int inFlight = connCount_.load() + static_cast<int>(pending_.size());
    bool full = inFlight >= opt_.maxConnections || static_cast<int>(pending_.size()) >= opt_.maxPending;
    if (!full) {
      Pending p;
      p.at = Clock::now();
      p.address = rej.address;
      p.port = rej.port;
      p.key = parsed.key;
      p.secure = !passphrase->empty();
      pending_[ns] = std::move(p);
    }
    if (full) {
      srt_setrejectreason(ns, SRT_REJX_OVERLOAD);
      rej.rejectCode = SRT_REJX_OVERLOAD;
      rej.reason = "overload";
    }
  }
  if (rej.rejectCode != 0) {
    push(std::move(rej), true);
    return -1;
  }
  // The Key Material exchange that follows this callback checks the caller against this passphrase. An unencrypted
  // channel sets none: the listener has none to inherit, and SRTO_ENFORCEDENCRYPTION refuses an encrypting caller.
  if (!passphrase->empty() &&
      srt_setsockflag(ns, SRTO_PASSPHRASE, passphrase->data(), static_cast<int>(passphrase->size())) != 0) {
    std::lock_guard<std::mutex> lock(callbackMu_);
    pending_.erase(ns);
    srt_setrejectreason(ns, SRT_REJX_ISE);
    return -1;
  }
  return 0;
}

void Listener::blockAddress(const std::string& address, int ms) {
  constexpr size_t kMaxBlocked = 10000;
  std::lock_guard<std::mutex> lock(callbackMu_);
  if (ms <= 0) {
    blocked_.erase(address);
    return;
  }
  Clock::time_point now = Clock::now();
  if (blocked_.size() >= kMaxBlocked) {
    for (auto it = blocked_.begin(); it != blocked_.end();) it = now >= it->second ? blocked_.erase(it) : std::next(it);
    if (blocked_.size() >= kMaxBlocked) return;  // a scan from that many addresses at once: the JS throttle still holds
  }
  blocked_[address] = now + std::chrono::milliseconds(ms);
}

void Listener::run() {
  // Named, so per-thread CPU figures (bench:ingest, top -H) tell this thread from Node's own.
  pthread_setname_np(pthread_self(), "openivs-srt-io");
  std::vector<SRT_EPOLL_EVENT> ready(128);
  const int waitMs = std::max(1, std::min(opt_.flushMs, 50));
  while (!stop_.load()) {
    int n = srt_epoll_uwait(eid_, ready.data(), static_cast<int>(ready.size()), waitMs);
    if (n < 0) std::this_thread::sleep_for(std::chrono::milliseconds(waitMs));  // never spin on an epoll error
    for (int i = 0; i < n; i++) {
      SRTSOCKET s = ready[i].fd;
      if (s == lsn_) {
        acceptAll();
        continue;
      }
      auto it = conns_.find(s);
      if (it == conns_.end()) continue;
      bool ok = (ready[i].events & SRT_EPOLL_IN) ? readAll(it->second) : true;
      if (!ok || (ready[i].events & SRT_EPOLL_ERR)) startDrain(it->second);
    }
    runCommands();
    checkTimers();
  }
  std::vector<SRTSOCKET> all;
  for (auto& kv : conns_) all.push_back(kv.first);
  for (SRTSOCKET s : all) closeConn(s, "listener-closed", emitEvents_);
}

void Listener::acceptAll() {
  for (;;) {
    struct sockaddr_storage peer {};
    int peerLen = sizeof peer;
    SRTSOCKET s = srt_accept(lsn_, reinterpret_cast<sockaddr*>(&peer), &peerLen);
    if (s == SRT_INVALID_SOCK) return;  // SRT_EASYNCRCV: nothing more queued
    Pending p;
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(callbackMu_);
      auto it = pending_.find(s);
      if (it != pending_.end()) {
        p = it->second;
        known = true;
        pending_.erase(it);
      }
    }
    bool no = false;
    srt_setsockflag(s, SRTO_RCVSYN, &no, sizeof no);
    char sid[kMaxStreamIdLength + 1] = {0};
    int sidLen = sizeof sid - 1;
    if (srt_getsockflag(s, SRTO_STREAMID, sid, &sidLen) != 0) sidLen = 0;
    int km = SRT_KM_S_UNSECURED;
    int kmLen = sizeof km;
    srt_getsockflag(s, SRTO_KMSTATE, &km, &kmLen);
    int latency = 0;
    int latencyLen = sizeof latency;
    srt_getsockflag(s, SRTO_RCVLATENCY, &latency, &latencyLen);
    int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
    if (!known || srt_epoll_add_usock(eid_, s, &events) != 0) {
      srt_close(s);  // every caller passes the callback, so an unknown socket is an internal inconsistency
      continue;
    }
    Conn c;
    c.sock = s;
    c.latencyMs = std::max(0, latency);
    c.lastDataAt = Clock::now();
    c.lastStatsAt = c.lastDataAt;
    conns_[s] = std::move(c);
    connCount_++;
    {
      std::lock_guard<std::mutex> lock(commandMu_);
      accounts_[s] = conns_[s].account;
    }
    Event ev;
    ev.kind = Event::Kind::Accepted;
    ev.id = s;
    formatAddress(reinterpret_cast<sockaddr*>(&peer), &ev.address, &ev.port);
    ev.streamId.assign(sid, static_cast<size_t>(std::max(0, sidLen)));
    ev.key = p.key;
    ev.encrypted = km == SRT_KM_S_SECURED;
    ev.secure = p.secure;
    ev.latencyMs = latency;
    push(std::move(ev), false);
  }
}

bool Listener::readAll(Conn& c) {
  const size_t cap = static_cast<size_t>(opt_.batchBytes);
  for (;;) {
    if (c.batch != nullptr && cap - c.batchLen < kMaxPacket) flush(c);
    if (c.batch == nullptr) {
      c.batch = static_cast<uint8_t*>(std::malloc(cap));
      if (c.batch == nullptr) return false;
      c.batchLen = 0;
    }
    SRT_MSGCTRL mc = srt_msgctrl_default;
    int r = srt_recvmsg2(c.sock, reinterpret_cast<char*>(c.batch + c.batchLen), static_cast<int>(cap - c.batchLen), &mc);
    if (r > 0) {
      if (c.batchLen == 0) c.batchStartedAt = Clock::now();
      c.batchLen += static_cast<size_t>(r);
      c.lastDataAt = Clock::now();
      continue;
    }
    if (r == SRT_ERROR && srt_getlasterror(nullptr) == SRT_EASYNCRCV) return true;
    return r == 0;
  }
}

// The caller closed (or vanished), but up to one latency of its packets may still sit in libsrt's receive buffer
// waiting for their TSBPD delivery time (libsrt keeps a broken socket's buffer readable for that). Those are the end
// of the stream, so they are read for one more latency window before the connection counts as closed.
void Listener::startDrain(Conn& c) {
  if (c.draining) return;
  c.draining = true;
  c.drainUntil = Clock::now() + std::chrono::milliseconds(c.latencyMs + 50);
  srt_epoll_remove_usock(eid_, c.sock);  // a broken socket stays "ready": polling it would spin
}

void Listener::flush(Conn& c) {
  if (c.batch == nullptr || c.batchLen == 0) return;
  if (c.account->queuedBytes.load() + static_cast<int64_t>(c.batchLen) > opt_.maxQueuedBytes) {
    // JS is not keeping up: drop this batch rather than grow without bound (the demuxer sees the gap).
    c.account->droppedBytes += c.batchLen;
    c.batchLen = 0;
    return;
  }
  uint8_t* data = c.batch;
  if (c.batchLen < static_cast<size_t>(opt_.batchBytes)) {
    auto* shrunk = static_cast<uint8_t*>(std::realloc(data, c.batchLen));
    if (shrunk != nullptr) data = shrunk;
  }
  Event ev;
  ev.kind = Event::Kind::Data;
  ev.id = c.sock;
  ev.data = data;
  ev.size = c.batchLen;
  ev.account = c.account;
  c.account->queuedBytes += static_cast<int64_t>(c.batchLen);
  c.batch = nullptr;
  c.batchLen = 0;
  push(std::move(ev), false);
}

void Listener::closeConn(SRTSOCKET sock, const std::string& reason, bool emit) {
  auto it = conns_.find(sock);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (emit) flush(c);
  ConnStats stats = c.lastStats;
  collectStats(sock, c.account->droppedBytes.load(), &stats);
  srt_epoll_remove_usock(eid_, sock);
  srt_close(sock);
  std::free(c.batch);
  conns_.erase(it);
  connCount_--;
  {
    std::lock_guard<std::mutex> lock(commandMu_);
    accounts_.erase(sock);
  }
  if (!emit) return;
  Event ev;
  ev.kind = Event::Kind::Closed;
  ev.id = sock;
  ev.reason = reason;
  ev.stats = stats;
  push(std::move(ev), false);
}

void Listener::requestClose(int32_t id, const std::string& reason) {
  std::lock_guard<std::mutex> lock(commandMu_);
  closeRequests_.emplace_back(id, reason);
}

void Listener::runCommands() {
  std::vector<std::pair<int32_t, std::string>> requests;
  {
    std::lock_guard<std::mutex> lock(commandMu_);
    requests.swap(closeRequests_);
  }
  for (auto& r : requests) closeConn(r.first, r.second, true);
}

void Listener::checkTimers() {
  Clock::time_point now = Clock::now();
  std::vector<SRTSOCKET> idle;
  std::vector<SRTSOCKET> drained;
  for (auto& kv : conns_) {
    Conn& c = kv.second;
    if (c.draining) {
      readAll(c);
      if (now >= c.drainUntil) drained.push_back(kv.first);
      continue;
    }
    if (c.batchLen > 0 && msSince(c.batchStartedAt, now) >= opt_.flushMs) flush(c);
    if (msSince(c.lastDataAt, now) >= opt_.idleTimeoutMs) idle.push_back(kv.first);
    if (msSince(c.lastStatsAt, now) >= kStatsEveryMs) {
      collectStats(c.sock, c.account->droppedBytes.load(), &c.lastStats);
      c.lastStatsAt = now;
    }
  }
  for (SRTSOCKET s : idle) closeConn(s, "idle", true);
  for (SRTSOCKET s : drained) closeConn(s, "peer", true);
  checkPending(now);
}

// A handshake the callback accepted either reaches srt_accept or dies inside libsrt, which happens when the Key
// Material exchange fails (wrong or missing passphrase, or encryption on an unencrypted channel). libsrt reports no
// event for that, so a pending socket that no longer exists is reported here as a refused handshake.
void Listener::checkPending(Clock::time_point now) {
  std::vector<std::pair<SRTSOCKET, Pending>> candidates;
  {
    std::lock_guard<std::mutex> lock(callbackMu_);
    for (auto& kv : pending_) {
      if (now - kv.second.at >= kPendingCheckAfter) candidates.emplace_back(kv.first, kv.second);
    }
  }
  for (auto& cand : candidates) {
    SRT_SOCKSTATUS st = srt_getsockstate(cand.first);
    bool failed = st == SRTS_BROKEN || st == SRTS_CLOSING || st == SRTS_CLOSED || st == SRTS_NONEXIST;
    bool expired = msSince(cand.second.at, now) >= opt_.handshakeTimeoutMs;
    if (!failed && !expired) continue;
    {
      std::lock_guard<std::mutex> lock(callbackMu_);
      if (pending_.erase(cand.first) == 0) continue;  // accepted meanwhile
    }
    Event ev;
    ev.kind = Event::Kind::Rejected;
    ev.address = cand.second.address;
    ev.port = cand.second.port;
    ev.secure = cand.second.secure;
    ev.reason = failed ? "handshake-failed" : "handshake-timeout";
    push(std::move(ev), true);
  }
}

bool Listener::stats(int32_t id, ConnStats* out) const {
  uint64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(commandMu_);
    auto it = accounts_.find(id);
    if (it == accounts_.end()) return false;
    dropped = it->second->droppedBytes.load();
  }
  return collectStats(id, dropped, out);
}

bool Listener::collectStats(SRTSOCKET sock, uint64_t droppedBytes, ConnStats* out) const {
  SRT_TRACEBSTATS p {};
  if (srt_bstats(sock, &p, 0) != 0) return false;
  ConnStats& s = *out;
  s.bytesDroppedQueue = droppedBytes;
  s.bytesReceived = p.byteRecvTotal;
  s.packetsReceived = p.pktRecvTotal;
  s.packetsLost = p.pktRcvLossTotal;
  s.packetsRetransmitted = p.pktRcvRetrans;  // never cleared, so the interval counter is the total
  s.packetsDropped = p.pktRcvDropTotal;
  s.packetsUndecrypted = p.pktRcvUndecryptTotal;
  s.rttMs = p.msRTT;
  s.receiveRateMbps = p.mbpsRecvRate;
  s.latencyMs = p.msRcvTsbPdDelay;
  return true;
}

void Listener::push(Event ev, bool droppable) {
  std::lock_guard<std::mutex> lock(eventMu_);
  if (sinkClosed_) {
    std::free(ev.data);
    return;
  }
  if (droppable) {
    if (queuedNotices_ >= kMaxQueuedNotices) {
      droppedNotices_++;
      return;
    }
    queuedNotices_++;
  }
  events_.push_back(std::move(ev));
  sink_->wake();  // non-blocking; the JS thread drains under eventMu_ only, never while the TSFN queue is locked
}

bool Listener::drain(std::deque<Event>* out, size_t maxBytes) {
  std::lock_guard<std::mutex> lock(eventMu_);
  size_t bytes = 0;
  while (!events_.empty() && bytes < maxBytes) {
    Event& ev = events_.front();
    bytes += ev.size;
    if (ev.kind == Event::Kind::Rejected && queuedNotices_ > 0) queuedNotices_--;
    out->push_back(std::move(ev));
    events_.pop_front();
  }
  return !events_.empty();
}

}  // namespace openivs_srt
