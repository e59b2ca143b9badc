#include "engine/endpoint.h"

#include <QFileInfo>
#include <QUrl>

namespace slipway {

QString displayEndpoint(const QString &endpoint)
{
    // A password in the endpoint is refused, but never repeated either.
    const qsizetype scheme = endpoint.indexOf(QStringLiteral("://"));
    const qsizetype at = endpoint.indexOf(u'@');
    if (scheme < 0 || at < 0)
        return endpoint;
    const qsizetype colon = endpoint.indexOf(u':', scheme + 3);
    if (colon < 0 || colon > at)
        return endpoint;
    return endpoint.left(colon) + QStringLiteral(":***") + endpoint.mid(at);
}

QString describeTarget(const Target &target)
{
    return QStringLiteral("target %1 (%2)").arg(target.name, displayEndpoint(target.endpoint));
}

Result<EngineEndpoint> parseEndpoint(const Target &target)
{
    const auto bad = [&](const QString &cause) {
        return Error::badInput(QStringLiteral("target %1: endpoint '%2': %3")
                                   .arg(target.name, displayEndpoint(target.endpoint), cause));
    };
    const QString text = target.endpoint.trimmed();
    const qsizetype schemeEnd = text.indexOf(QStringLiteral("://"));
    if (schemeEnd <= 0)
        return bad(
            QStringLiteral("expected unix://PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT][/SOCKET]"));
    const QString scheme = text.left(schemeEnd).toLower();
    const bool anyTls = !target.tlsCa.isEmpty() || !target.tlsCert.isEmpty() || !target.tlsKey.isEmpty();

    EngineEndpoint endpoint;
    if (scheme == u"unix") {
        endpoint.kind = EngineEndpoint::Kind::Unix;
        endpoint.socketPath = text.mid(schemeEnd + 3);
        if (!endpoint.socketPath.startsWith(u'/'))
            return bad(QStringLiteral("the socket path must be absolute (unix:///path/to/engine.sock)"));
        if (anyTls)
            return bad(QStringLiteral("TLS files apply to tcp:// endpoints only"));
        return endpoint;
    }
    if (scheme != u"tcp" && scheme != u"ssh")
        return bad(QStringLiteral("unknown scheme '%1' (unix, tcp or ssh)").arg(scheme));

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return bad(QStringLiteral("no host"));
    endpoint.host = url.host();
    endpoint.port = url.port(0);
    if (!url.password().isEmpty())
        return bad(QStringLiteral("passwords do not belong in an endpoint; use ssh keys or the agent"));

    if (scheme == u"tcp") {
        endpoint.kind = EngineEndpoint::Kind::Tcp;
        if (endpoint.port <= 0)
            return bad(QStringLiteral("no port (tcp://HOST:PORT)"));
        if (!url.userName().isEmpty() || (!url.path().isEmpty() && url.path() != u"/"))
            return bad(QStringLiteral("tcp:// endpoints take only HOST:PORT"));
        if (anyTls) {
            if (target.tlsCa.isEmpty() || target.tlsCert.isEmpty() || target.tlsKey.isEmpty())
                return bad(
                    QStringLiteral("TLS needs all three of the CA, the client certificate and its key"));
            for (const QString &file : {target.tlsCa, target.tlsCert, target.tlsKey}) {
                const QFileInfo info(file);
                if (!info.isFile() || !info.isReadable())
                    return bad(QStringLiteral("cannot read TLS file %1").arg(file));
            }
            endpoint.tls = true;
        }
        return endpoint;
    }

    endpoint.kind = EngineEndpoint::Kind::Ssh;
    if (anyTls)
        return bad(QStringLiteral("TLS files apply to tcp:// endpoints only"));
    endpoint.sshUser = url.userName();
    endpoint.socketPath = url.path();
    if (endpoint.socketPath == u"/")
        endpoint.socketPath.clear();
    // ssh(1) takes the destination as an argument: refuse anything that could read as an option.
    if (endpoint.host.startsWith(u'-') || endpoint.sshUser.startsWith(u'-'))
        return bad(QStringLiteral("invalid host or user"));
    return endpoint;
}

} // namespace slipway
