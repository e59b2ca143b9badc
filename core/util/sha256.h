#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

namespace slipway {

// Streaming sha256 (OpenSSL EVP; SHA-NI where the CPU has it).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256 &&) noexcept;
    Sha256 &operator=(Sha256 &&) noexcept;

    void update(const char *data, qsizetype size);
    void update(const QByteArray &data) { update(data.constData(), data.size()); }
    // Finishes and returns the 64 hex digits; the object starts afresh afterwards.
    QString hexDigest();
    // "sha256:" + hexDigest()
    QString digest();

    static QString hexOf(const QByteArray &data);
    static QString digestOf(const QByteArray &data);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

// True for "sha256:" followed by 64 lower-case hex digits.
bool isSha256Digest(const QString &digest);

} // namespace slipway
