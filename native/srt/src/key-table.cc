// See key-table.h. SHA-256 comes from libcrypto (already a dependency of libsrt's OpenSSL flavour).

#include "key-table.h"

#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace openivs_srt {

size_t KeyDigestHash::operator()(const KeyDigest& d) const noexcept {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // a digest is already uniformly distributed
  return h;
}

KeyDigest digestOf(const std::string& key) {
  KeyDigest out{};
  unsigned int len = 0;
  if (EVP_Digest(key.data(), key.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

void KeyTable::set(const std::string& key, const std::string& passphrase) {
  KeyDigest d = digestOf(key);
  std::lock_guard<std::mutex> lock(mu_);
  entries_[d] = passphrase;
}

bool KeyTable::remove(const std::string& key) {
  KeyDigest d = digestOf(key);
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.erase(d) > 0;
}

void KeyTable::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

size_t KeyTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

std::optional<std::string> KeyTable::lookup(const std::string& key) const {
  KeyDigest d = digestOf(key);  // hashed outside the lock: the receiver thread holds it only for the find
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(d);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

}  // namespace openivs_srt
