// N-API surface of openivs_srt.node (plain node_api.h):
//   version() -> libsrt version string
//   createListener(options, onEvents) -> { port, setKey(key, passphrase), deleteKey(key), blockAddress(address, ms), clearKeys(), keyCount(),
//                                          closeConnection(id, reason), stats(id), close() }
// `onEvents(events)` receives batches of plain objects (accepted / data / closed / rejected / end) from one
// thread-safe function that is signalled at most once per drain, so a busy stream costs one JS call per batch of
// packets, not per packet. Data arrives as Buffers that own native memory (no copy). The thread-safe function keeps
// the event loop alive while the listener is open; close() (or the environment's teardown at process exit) stops
// the I/O thread and closes every socket.

#include <node_api.h>
#include <srt/srt.h>
#include <syslog.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>

#include "listener.h"
#include "stream-id.h"

using openivs_srt::ConnStats;
using openivs_srt::Event;
using openivs_srt::Listener;
using openivs_srt::ListenerOptions;

namespace {

#define CHECK(call)                                         \
  do {                                                      \
    if ((call) != napi_ok) return throwLast(env, #call);    \
  } while (0)

napi_value throwLast(napi_env env, const char* what) {
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    std::string msg = std::string("openivs_srt: ") + what + " failed";
    if (info != nullptr && info->error_message != nullptr) msg += std::string(": ") + info->error_message;
    napi_throw_error(env, nullptr, msg.c_str());
  }
  return nullptr;
}

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

struct Instance : openivs_srt::EventSink {
  napi_threadsafe_function tsfn = nullptr;
  std::atomic<bool> wakePending{false};
  std::unique_ptr<Listener> listener;
  bool closed = false;
  napi_env env = nullptr;
  /** The InstanceRef registered as the env cleanup hook's argument (null once removed). */
  void* cleanupArg = nullptr;

  void wake() override {
    if (wakePending.exchange(true)) return;
    if (napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking) != napi_ok) wakePending = false;
  }
};

using InstanceRef = std::shared_ptr<Instance>;

void cleanupHook(void* arg);

/** Stops the listener and lets the thread-safe function deliver what is queued, then finalize. */
void closeInstance(const InstanceRef& inst, bool emitEvents) {
  if (inst->closed) return;
  inst->closed = true;
  inst->listener->shutdown(emitEvents);
  napi_release_threadsafe_function(inst->tsfn, napi_tsfn_release);
}

// --- values -------------------------------------------------------------------------------------------------

napi_value str(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

napi_value boolean(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

void set(napi_env env, napi_value obj, const char* name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

napi_value statsObject(napi_env env, const ConnStats& s) {
  napi_value o;
  napi_create_object(env, &o);
  set(env, o, "bytesReceived", num(env, static_cast<double>(s.bytesReceived)));
  set(env, o, "packetsReceived", num(env, static_cast<double>(s.packetsReceived)));
  set(env, o, "packetsLost", num(env, s.packetsLost));
  set(env, o, "packetsRetransmitted", num(env, s.packetsRetransmitted));
  set(env, o, "packetsDropped", num(env, s.packetsDropped));
  set(env, o, "packetsUndecrypted", num(env, s.packetsUndecrypted));
  set(env, o, "rttMs", num(env, s.rttMs));
  set(env, o, "receiveRateMbps", num(env, s.receiveRateMbps));
  set(env, o, "latencyMs", num(env, s.latencyMs));
  set(env, o, "bytesDroppedQueue", num(env, static_cast<double>(s.bytesDroppedQueue)));
  return o;
}

void freeBuffer(napi_env, void* data, void*) { std::free(data); }

napi_value eventObject(napi_env env, Event& ev) {
  napi_value o;
  napi_create_object(env, &o);
  switch (ev.kind) {
    case Event::Kind::Data: {
      set(env, o, "type", str(env, "data"));
      set(env, o, "id", num(env, ev.id));
      napi_value buf;
      if (napi_create_external_buffer(env, ev.size, ev.data, freeBuffer, nullptr, &buf) != napi_ok) {
        napi_create_buffer_copy(env, ev.size, ev.data, nullptr, &buf);
        std::free(ev.data);
      }
      ev.data = nullptr;
      ev.account->queuedBytes -= static_cast<int64_t>(ev.size);
      set(env, o, "data", buf);
      break;
    }
    case Event::Kind::Accepted:
      set(env, o, "type", str(env, "accepted"));
      set(env, o, "id", num(env, ev.id));
      set(env, o, "address", str(env, ev.address));
      set(env, o, "port", num(env, ev.port));
      set(env, o, "streamId", str(env, ev.streamId));
      set(env, o, "key", str(env, ev.key));
      set(env, o, "encrypted", boolean(env, ev.encrypted));
      set(env, o, "latencyMs", num(env, ev.latencyMs));
      break;
    case Event::Kind::Closed:
      set(env, o, "type", str(env, "closed"));
      set(env, o, "id", num(env, ev.id));
      set(env, o, "reason", str(env, ev.reason));
      set(env, o, "stats", statsObject(env, ev.stats));
      break;
    case Event::Kind::Rejected:
      set(env, o, "type", str(env, "rejected"));
      set(env, o, "address", str(env, ev.address));
      set(env, o, "port", num(env, ev.port));
      set(env, o, "reason", str(env, ev.reason));
      set(env, o, "rejectCode", num(env, ev.rejectCode));
      set(env, o, "secure", boolean(env, ev.secure));
      break;
    case Event::Kind::End:
      set(env, o, "type", str(env, "end"));
      break;
  }
  return o;
}

/** Data handed to JavaScript per onEvents call: a backlog is spread over several turns of the event loop. */
constexpr size_t kMaxBytesPerCall = 2 * 1024 * 1024;

/** Runs on the JS thread for each wake: drains queued events into one array and calls onEvents once. */
void callJs(napi_env env, napi_value jsCallback, void* context, void*) {
  auto* ref = static_cast<InstanceRef*>(context);
  Instance& inst = **ref;
  inst.wakePending = false;  // before draining, so an event queued during the drain wakes us again
  std::deque<Event> events;
  // Once closed, the thread-safe function is released and may not be signalled again: deliver the rest now.
  bool more = inst.listener->drain(&events, env == nullptr || inst.closed ? SIZE_MAX : kMaxBytesPerCall);
  if (env == nullptr || jsCallback == nullptr) {  // environment teardown: free, deliver nothing
    for (auto& ev : events) std::free(ev.data);
    return;
  }
  if (more) inst.wake();  // the rest comes in the next turn, after other callbacks have run
  if (events.empty()) return;
  napi_value array;
  napi_create_array_with_length(env, events.size(), &array);
  uint32_t i = 0;
  for (auto& ev : events) napi_set_element(env, array, i++, eventObject(env, ev));
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, jsCallback, 1, &array, nullptr) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);  // same as a throwing event listener: 'uncaughtException'
  }
}

void finalizeTsfn(napi_env, void* data, void*) {
  delete static_cast<InstanceRef*>(data);
}

void cleanupHook(void* arg) {
  auto* ref = static_cast<InstanceRef*>(arg);
  // Process exit without close(): stop the thread and sockets; Node finalizes the thread-safe function itself.
  (*ref)->closed = true;
  (*ref)->listener->shutdown(false);
  delete ref;
}

void finalizeWrap(napi_env env, void* data, void*) {
  auto* ref = static_cast<InstanceRef*>(data);
  if (!(*ref)->closed) {
    // Garbage-collected while open (cannot happen while onEvents is reachable, but never leak a thread).
    napi_remove_env_cleanup_hook(env, cleanupHook, (*ref)->cleanupArg);
    closeInstance(*ref, false);
    delete static_cast<InstanceRef*>((*ref)->cleanupArg);
  }
  delete ref;
}

// --- options ------------------------------------------------------------------------------------------------

bool readInt(napi_env env, napi_value obj, const char* name, int min, int max, int* out, std::string* error) {
  bool has = false;
  napi_has_named_property(env, obj, name, &has);
  if (!has) return true;
  napi_value v;
  napi_get_named_property(env, obj, name, &v);
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return true;
  double d = 0;
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d != static_cast<double>(static_cast<long long>(d)) ||
      d < min || d > max) {
    *error = std::string("option ") + name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    return false;
  }
  *out = static_cast<int>(d);
  return true;
}

bool readString(napi_env env, napi_value v, size_t maxLen, std::string* out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_string) return false;
  size_t len = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &len);
  if (len > maxLen) return false;
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
  *out = s;
  return true;
}

bool readOptions(napi_env env, napi_value obj, ListenerOptions* o, std::string* error) {
  napi_value host;
  if (napi_get_named_property(env, obj, "host", &host) != napi_ok || !readString(env, host, 64, &o->host)) {
    *error = "option host must be an IP address string";
    return false;
  }
  return readInt(env, obj, "port", 0, 65535, &o->port, error) &&
         readInt(env, obj, "latencyMs", 20, 8000, &o->latencyMs, error) &&
         readInt(env, obj, "peerIdleTimeoutMs", 1000, 60000, &o->peerIdleTimeoutMs, error) &&
         readInt(env, obj, "idleTimeoutMs", 100, 600000, &o->idleTimeoutMs, error) &&
         readInt(env, obj, "maxConnections", 1, 100000, &o->maxConnections, error) &&
         readInt(env, obj, "maxPending", 1, 10000, &o->maxPending, error) &&
         readInt(env, obj, "backlog", 1, 1024, &o->backlog, error) &&
         readInt(env, obj, "rcvBufBytes", 64 * 1024, 256 * 1024 * 1024, &o->rcvBufBytes, error) &&
         readInt(env, obj, "batchBytes", 4096, 4 * 1024 * 1024, &o->batchBytes, error) &&
         readInt(env, obj, "flushMs", 1, 1000, &o->flushMs, error) &&
         readInt(env, obj, "maxQueuedBytes", 64 * 1024, 1024 * 1024 * 1024, &o->maxQueuedBytes, error) &&
         readInt(env, obj, "handshakeTimeoutMs", 500, 60000, &o->handshakeTimeoutMs, error);
}

// --- methods ------------------------------------------------------------------------------------------------

/** The Instance behind `this`, with up to `n` arguments; throws (returns null) when `this` is closed. */
Instance* self(napi_env env, napi_callback_info info, size_t n, napi_value* argv, bool requireOpen = true) {
  napi_value thisArg;
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, &thisArg, nullptr) != napi_ok) return nullptr;
  for (size_t i = argc; i < n; i++) napi_get_undefined(env, &argv[i]);
  void* data = nullptr;
  if (napi_unwrap(env, thisArg, &data) != napi_ok || data == nullptr) {
    throwError(env, "openivs_srt: not a listener");
    return nullptr;
  }
  Instance* inst = static_cast<InstanceRef*>(data)->get();
  if (requireOpen && inst->closed) {
    throwError(env, "openivs_srt: the listener is closed");
    return nullptr;
  }
  return inst;
}

napi_value SetKey(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = self(env, info, 2, argv);
  if (inst == nullptr) return nullptr;
  std::string key;
  std::string passphrase;
  if (!readString(env, argv[0], openivs_srt::kMaxStreamIdLength, &key) || key.empty()) {
    return throwError(env, "setKey: key must be a non-empty string of at most 512 bytes");
  }
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_null && t != napi_undefined) {
    if (!readString(env, argv[1], 79, &passphrase) || passphrase.size() < 10) {
      return throwError(env, "setKey: passphrase must be null or a string of 10 to 79 bytes (SRT's bounds)");
    }
  }
  inst->listener->keys().set(key, passphrase);
  return nullptr;
}

napi_value DeleteKey(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Instance* inst = self(env, info, 1, argv);
  if (inst == nullptr) return nullptr;
  std::string key;
  if (!readString(env, argv[0], openivs_srt::kMaxStreamIdLength, &key)) return boolean(env, false);
  return boolean(env, inst->listener->keys().remove(key));
}

napi_value BlockAddress(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = self(env, info, 2, argv);
  if (inst == nullptr) return nullptr;
  std::string address;
  if (!readString(env, argv[0], 64, &address) || address.empty()) {
    return throwError(env, "blockAddress: address must be a non-empty string of at most 64 bytes");
  }
  int32_t ms = 0;
  if (napi_get_value_int32(env, argv[1], &ms) != napi_ok || ms < 0) {
    return throwError(env, "blockAddress: ms must be a non-negative number");
  }
  inst->listener->blockAddress(address, ms);
  return nullptr;
}

napi_value ClearKeys(napi_env env, napi_callback_info info) {
  Instance* inst = self(env, info, 0, nullptr);
  if (inst != nullptr) inst->listener->keys().clear();
  return nullptr;
}

napi_value KeyCount(napi_env env, napi_callback_info info) {
  Instance* inst = self(env, info, 0, nullptr);
  return inst == nullptr ? nullptr : num(env, static_cast<double>(inst->listener->keys().size()));
}

napi_value CloseConnection(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Instance* inst = self(env, info, 2, argv);
  if (inst == nullptr) return nullptr;
  int32_t id = 0;
  if (napi_get_value_int32(env, argv[0], &id) != napi_ok) return throwError(env, "closeConnection: id must be a number");
  std::string reason = "server";
  readString(env, argv[1], 64, &reason);
  inst->listener->requestClose(id, reason);
  return nullptr;
}

napi_value Stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Instance* inst = self(env, info, 1, argv);
  if (inst == nullptr) return nullptr;
  int32_t id = 0;
  if (napi_get_value_int32(env, argv[0], &id) != napi_ok) return throwError(env, "stats: id must be a number");
  ConnStats s;
  if (!inst->listener->stats(id, &s)) {
    napi_value nul;
    napi_get_null(env, &nul);
    return nul;
  }
  return statsObject(env, s);
}

napi_value Close(napi_env env, napi_callback_info info) {
  napi_value thisArg;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, nullptr, &thisArg, nullptr);
  void* data = nullptr;
  if (napi_unwrap(env, thisArg, &data) != napi_ok || data == nullptr) return throwError(env, "openivs_srt: not a listener");
  InstanceRef& ref = *static_cast<InstanceRef*>(data);
  if (ref->closed) return nullptr;
  napi_remove_env_cleanup_hook(env, cleanupHook, ref->cleanupArg);
  delete static_cast<InstanceRef*>(ref->cleanupArg);
  ref->cleanupArg = nullptr;
  closeInstance(ref, true);  // the 'closed' events and a final 'end' follow through onEvents
  return nullptr;
}

napi_value CreateListener(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  napi_valuetype t0, t1;
  napi_typeof(env, argv[0], &t0);
  napi_typeof(env, argv[1], &t1);
  if (argc < 2 || t0 != napi_object || t1 != napi_function) return throwError(env, "createListener(options, onEvents)");
  ListenerOptions options;
  std::string error;
  if (!readOptions(env, argv[0], &options, &error)) return throwError(env, "createListener: " + error);

  auto inst = std::make_shared<Instance>();
  inst->env = env;
  inst->listener = std::make_unique<Listener>(options, inst.get());
  try {
    inst->listener->start();
  } catch (const std::exception& e) {
    return throwError(env, std::string("SRT listener on ") + options.host + ":" + std::to_string(options.port) + ": " + e.what());
  }
  napi_value name = str(env, "openivs_srt events");
  auto* tsfnRef = new InstanceRef(inst);
  if (napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, tsfnRef, finalizeTsfn, tsfnRef, callJs,
                                      &inst->tsfn) != napi_ok) {
    delete tsfnRef;
    inst->listener->shutdown(false);
    return throwLast(env, "napi_create_threadsafe_function");
  }
  auto* cleanupRef = new InstanceRef(inst);
  inst->cleanupArg = cleanupRef;
  napi_add_env_cleanup_hook(env, cleanupHook, cleanupRef);

  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  auto* wrapRef = new InstanceRef(inst);
  if (napi_wrap(env, obj, wrapRef, finalizeWrap, nullptr, nullptr) != napi_ok) {
    delete wrapRef;
    return throwLast(env, "napi_wrap");
  }
  napi_property_descriptor props[] = {
      {"port", nullptr, nullptr, nullptr, nullptr, num(env, inst->listener->boundPort()), napi_enumerable, nullptr},
      {"setKey", nullptr, SetKey, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"deleteKey", nullptr, DeleteKey, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blockAddress", nullptr, BlockAddress, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clearKeys", nullptr, ClearKeys, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"keyCount", nullptr, KeyCount, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeConnection", nullptr, CloseConnection, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, Stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  CHECK(napi_define_properties(env, obj, sizeof props / sizeof props[0], props));
  return obj;
}

napi_value Version(napi_env env, napi_callback_info) {
  uint32_t v = srt_getversion();
  std::string s = std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
  return str(env, s);
}

void srtCleanup(void*) { srt_cleanup(); }

napi_value Init(napi_env env, napi_value exports) {
  if (srt_startup() < 0) return throwError(env, std::string("srt_startup failed: ") + srt_getlasterror_str());
  // libsrt would print handshake refusals (wrong keys, bad passphrases) to stderr; openivs reports them itself.
  srt_setloglevel(LOG_CRIT);
  napi_add_env_cleanup_hook(env, srtCleanup, nullptr);  // registered first, so it runs after every listener's hook
  napi_property_descriptor props[] = {
      {"createListener", nullptr, CreateListener, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
