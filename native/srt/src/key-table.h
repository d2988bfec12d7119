// The stream-key table the listen callback consults: SHA-256(stream key) -> passphrase (empty = unencrypted).
// JavaScript keeps it current (set/delete/clear); libsrt's receiver thread reads it under a mutex and never waits
// on JavaScript. Keys are stored and compared as digests, so a lookup's timing tells nothing about a key's bytes
// and no plaintext stream key stays in native memory.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace openivs_srt {

using KeyDigest = std::array<unsigned char, 32>;

struct KeyDigestHash {
  size_t operator()(const KeyDigest& d) const noexcept;
};

class KeyTable {
 public:
  /** Adds or replaces a key; `passphrase` empty means the caller must not encrypt. */
  void set(const std::string& key, const std::string& passphrase);
  bool remove(const std::string& key);
  void clear();
  size_t size() const;
  /** The passphrase for `key` (empty string for an unencrypted key), or nullopt when the key is unknown. */
  std::optional<std::string> lookup(const std::string& key) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<KeyDigest, std::string, KeyDigestHash> entries_;
};

KeyDigest digestOf(const std::string& key);

}  // namespace openivs_srt
