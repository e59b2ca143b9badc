#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace slipway {

// OpenSSH known_hosts checking, for libgit2's ssh transport (which does not read known_hosts
// itself). Understands plain and hashed ("|1|salt|hash") host fields, "[host]:port" for
// non-default ports, comma-separated patterns with * ? and !negation, @revoked lines;
// @cert-authority lines are ignored (certificates are not supported).
class KnownHosts
{
public:
    enum class Verdict
    {
        Trusted, // a line for this host has exactly this key
        Unknown, // no line for this host and key type
        Changed, // a line for this host and key type has a different key
        Revoked, // an @revoked line has this key
    };

    explicit KnownHosts(QStringList files)
        : m_files(std::move(files))
    {}

    // keyBlob: the host key in SSH wire format (what the base64 field of a line decodes to).
    Verdict check(const QString &host, int port, const QByteArray &keyBlob) const;

    // The name a line must carry for host and port: "host", or "[host]:port" when port != 22.
    static QString hostField(const QString &host, int port);
    // The key type named inside a wire-format key blob ("ssh-ed25519"), empty if malformed.
    static QByteArray keyType(const QByteArray &keyBlob);

    QStringList files() const { return m_files; }

private:
    QStringList m_files;
};

} // namespace slipway
