#pragma once

#include <QString>

// Argon2id password hashes through libsodium (crypto_pwhash_str, interactive limits):
// salted, memory-hard, self-describing strings.
class PasswordHasher
{
public:
    static bool initialise(); // sodium_init(); call once before the first hash
    static QString hash(const QString &password);
    static bool verify(const QString &hash, const QString &password);
    // Spends the time of one verification, so that unknown accounts answer as slowly as known ones.
    static void verifyDummy(const QString &password);
};
