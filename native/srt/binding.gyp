# Builds openivs_srt.node: a small N-API addon over Debian's libsrt (libsrt-openssl-dev) that runs one SRT
# listener in live mode per instance. Plain node_api.h (no node-addon-api), so nothing comes from npm.
{
  "targets": [
    {
      "target_name": "openivs_srt",
      "sources": ["src/addon.cc", "src/listener.cc", "src/key-table.cc", "src/stream-id.cc"],
      "include_dirs": ["/usr/include/srt"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lsrt", "-lcrypto"]
    }
  ]
}
