#include "sha256.h"

#include <QRegularExpression>

#include <openssl/evp.h>

namespace slipway {

struct Sha256::Context
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(context); }
    void reset() { EVP_DigestInit_ex(context, EVP_sha256(), nullptr); }
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    m_context->reset();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256 &Sha256::operator=(Sha256 &&) noexcept = default;

void Sha256::update(const char *data, qsizetype size)
{
    EVP_DigestUpdate(m_context->context, data, size_t(size));
}

QString Sha256::hexDigest()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context->context, digest, &length);
    m_context->reset();
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

QString Sha256::digest()
{
    return QStringLiteral("sha256:") + hexDigest();
}

QString Sha256::hexOf(const QByteArray &data)
{
    Sha256 hash;
    hash.update(data);
    return hash.hexDigest();
}

QString Sha256::digestOf(const QByteArray &data)
{
    return QStringLiteral("sha256:") + hexOf(data);
}

bool isSha256Digest(const QString &digest)
{
    // anchoredPattern: "^...$" would also accept a trailing newline.
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("sha256:[0-9a-f]{64}")));
    return pattern.match(digest).hasMatch();
}

} // namespace slipway
