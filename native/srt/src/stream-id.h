// What a caller's SRT stream id names. IVS documents the plain form, `streamid=<stream key>`; the SRT access
// control convention (`#!::r=<resource>,m=publish`, docs/features/access-control.md in libsrt) is accepted too,
// with `r` as the stream key, since some encoders only offer that form. A `?query` after the key (IVS's stream
// takeover request, `<key>?priority=N`) is not part of the key. Anything else is a bad request.
#pragma once

#include <string>

namespace openivs_srt {

/** SRT's own bound on SRTO_STREAMID. */
constexpr size_t kMaxStreamIdLength = 512;

struct StreamIdParse {
  bool ok = false;
  std::string key;
  /** An SRT_REJX_* code when !ok. */
  int rejectCode = 0;
};

StreamIdParse parseStreamId(const char* streamId);

}  // namespace openivs_srt
