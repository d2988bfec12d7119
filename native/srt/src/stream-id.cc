// See stream-id.h.

#include "stream-id.h"

#include <srt/access_control.h>

#include <cstring>

namespace openivs_srt {

namespace {

StreamIdParse reject(int code) {
  StreamIdParse r;
  r.rejectCode = code;
  return r;
}

/** `#!::k=v,k=v`: the stream key is `r`; a mode other than publish is refused (this listener only ingests). */
StreamIdParse parseKeyed(const std::string& body) {
  std::string key;
  bool haveKey = false;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t comma = body.find(',', pos);
    if (comma == std::string::npos) comma = body.size();
    std::string item = body.substr(pos, comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return reject(SRT_REJX_BAD_REQUEST);
    std::string name = item.substr(0, eq);
    std::string value = item.substr(eq + 1);
    if (name == "r") {
      key = value;
      haveKey = true;
    } else if (name == "m" && value != "publish") {
      return reject(SRT_REJX_BAD_MODE);
    }
    pos = comma + 1;
  }
  if (!haveKey || key.empty()) return reject(SRT_REJX_BAD_REQUEST);
  StreamIdParse r;
  r.ok = true;
  r.key = key;
  return r;
}

}  // namespace

StreamIdParse parseStreamId(const char* streamId) {
  if (streamId == nullptr) return reject(SRT_REJX_BAD_REQUEST);  // handshake v4 callers carry no stream id
  size_t len = strnlen(streamId, kMaxStreamIdLength + 1);
  if (len == 0 || len > kMaxStreamIdLength) return reject(SRT_REJX_BAD_REQUEST);
  std::string sid(streamId, len);
  if (sid.rfind("#!::", 0) == 0) return parseKeyed(sid.substr(4));
  // `<key>?priority=N` asks for a stream takeover (IVS's form): the key is what precedes the `?`; the JavaScript side
  // reads the parameters from the stream id it is handed.
  size_t query = sid.find('?');
  if (query == 0) return reject(SRT_REJX_BAD_REQUEST);
  StreamIdParse r;
  r.ok = true;
  r.key = query == std::string::npos ? sid : sid.substr(0, query);
  return r;
}

}  // namespace openivs_srt
