#include "source/knownhosts.h"

#include <QFile>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace slipway {

namespace {

bool wildcardMatch(const char *pattern, const char *text)
{
    for (; *pattern; ++pattern, ++text) {
        if (*pattern == '*') {
            while (pattern[1] == '*')
                ++pattern;
            if (!pattern[1])
                return true;
            for (const char *rest = text; *rest; ++rest) {
                if (wildcardMatch(pattern + 1, rest))
                    return true;
            }
            return false;
        }
        if (!*text)
            return false;
        if (*pattern != '?' && *pattern != *text)
            return false;
    }
    return !*text;
}

bool hashedHostMatches(const QByteArray &field, const QByteArray &host)
{
    // |1|base64(salt)|base64(HMAC-SHA1(salt, host))
    const QList<QByteArray> parts = field.split('|');
    if (parts.size() != 4 || !parts[0].isEmpty() || parts[1] != "1")
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[2]);
    const QByteArray expected = QByteArray::fromBase64(parts[3]);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    if (!HMAC(EVP_sha1(), salt.constData(), int(salt.size()),
              reinterpret_cast<const unsigned char *>(host.constData()), size_t(host.size()), digest,
              &digestLength))
        return false;
    return expected == QByteArray(reinterpret_cast<const char *>(digest), int(digestLength));
}

bool hostMatches(const QByteArray &field, const QByteArray &host)
{
    if (field.startsWith("|1|"))
        return hashedHostMatches(field, host);
    bool matched = false;
    for (const QByteArray &pattern : field.split(',')) {
        const bool negated = pattern.startsWith('!');
        const QByteArray body = (negated ? pattern.mid(1) : pattern).toLower();
        if (wildcardMatch(body.constData(), host.constData())) {
            if (negated)
                return false;
            matched = true;
        }
    }
    return matched;
}

} // namespace

QString KnownHosts::hostField(const QString &host, int port)
{
    if (port <= 0 || port == 22)
        return host;
    return QStringLiteral("[%1]:%2").arg(host).arg(port);
}

QByteArray KnownHosts::keyType(const QByteArray &keyBlob)
{
    if (keyBlob.size() < 4)
        return {};
    const auto *data = reinterpret_cast<const unsigned char *>(keyBlob.constData());
    const quint32 length =
        (quint32(data[0]) << 24) | (quint32(data[1]) << 16) | (quint32(data[2]) << 8) | data[3];
    if (length > quint32(keyBlob.size() - 4))
        return {};
    return keyBlob.mid(4, qsizetype(length));
}

KnownHosts::Verdict KnownHosts::check(const QString &host, int port, const QByteArray &keyBlob) const
{
    const QByteArray name = hostField(host, port).toLower().toUtf8();
    const QByteArray type = keyType(keyBlob);
    bool trusted = false;
    bool changed = false;
    for (const QString &path : m_files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            QList<QByteArray> fields = line.simplified().split(' ');
            QByteArray marker;
            if (fields.first().startsWith('@'))
                marker = fields.takeFirst();
            if (fields.size() < 3 || !hostMatches(fields[0], name))
                continue;
            const QByteArray key = QByteArray::fromBase64(fields[2]);
            if (marker == "@revoked") {
                if (key == keyBlob)
                    return Verdict::Revoked;
                continue;
            }
            if (!marker.isEmpty())
                continue; // @cert-authority: host certificates are not supported
            if (key == keyBlob)
                trusted = true;
            else if (fields[1] == type)
                changed = true;
        }
    }
    // OpenSSH trusts a key found on any matching line, even if another line differs.
    if (trusted)
        return Verdict::Trusted;
    return changed ? Verdict::Changed : Verdict::Unknown;
}

} // namespace slipway
