#include "projectfile/spectables.h"

#include "projectfile/specformat.h"

#include <algorithm>

namespace slipway::spec_detail {
namespace {

// A host name as a proxy routes it: DNS labels of a-z, 0-9 and '-', joined by dots.
bool isHostName(const QString &host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    const QStringList labels = host.split(u'.');
    return std::all_of(labels.begin(), labels.end(), [](const QString &label) {
        return !label.isEmpty() && label.size() <= 63 && label.front() != u'-' && label.back() != u'-' &&
               std::all_of(label.begin(), label.end(), [](QChar c) {
                   return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-';
               });
    });
}

// tls = false, tls = "internal", or tls = { certificate = "/etc/ssl/app.pem", key = "/etc/ssl/app.key" }.
void readProxyTls(SpecProblems &problems, const toml::node &node, const QString &where, ProxySpec &proxy)
{
    const QString expected = where + QStringLiteral(" must be false, \"internal\" or { certificate = "
                                                    "\"/etc/ssl/app.pem\", key = \"/etc/ssl/app.key\" }");
    if (const auto *flag = node.as_boolean()) {
        if (flag->get())
            problems.fail(lineOf(node),
                          expected + QStringLiteral(", not true: name the certificate and key"));
        return;
    }
    if (const auto *text = node.as_string()) {
        const QString value = toQString(text->get());
        if (value == u"internal")
            proxy.tlsInternal = true;
        else
            problems.fail(lineOf(node),
                          expected + QStringLiteral(", not ") + quoted(value) +
                              (value == u"acme" ? QStringLiteral(" (ACME is not there yet)") : QString()));
        return;
    }
    const toml::table *table = node.as_table();
    if (!table) {
        problems.fail(lineOf(node), expected + QStringLiteral(", not ") + typeName(node));
        return;
    }
    for (auto &&[key, value] : *table) {
        const QString name = toQString(key.str());
        QString *path = name == QLatin1String("certificate") ? &proxy.tlsCertificate
                        : name == QLatin1String("key")       ? &proxy.tlsKey
                                                             : nullptr;
        if (!path) {
            problems.fail(lineOf(key), where + QStringLiteral(" unknown key '") + name +
                                           QStringLiteral("' (the keys are certificate and key)"));
            continue;
        }
        const QString keyWhere = where + u'.' + name;
        // Files of this machine, never of the repository (a key does not belong in one).
        if (readString(problems, value, keyWhere, *path) && !path->startsWith(u'/') &&
            !path->startsWith(QLatin1String("~/")))
            problems.fail(lineOf(value), keyWhere + u' ' + quoted(*path) +
                                             QStringLiteral(" must be an absolute path (or start with ~/): a "
                                                            "file of this machine, not of the repository"));
    }
    if (proxy.tlsCertificate.isEmpty() || proxy.tlsKey.isEmpty())
        problems.fail(lineOf(node), where + QStringLiteral(" needs both certificate and key"));
}

} // namespace

void readProxy(SpecProblems &problems, const toml::node &node, const QString &t, DeploySpec &deploy)
{
    const toml::table *table = node.as_table();
    if (!table) {
        problems.fail(lineOf(node), t +
                                        QStringLiteral(" proxy must be a table, e.g. { hosts = "
                                                       "[\"app.example.com\"], port = 3000 }, not ") +
                                        typeName(node));
        return;
    }
    ProxySpec proxy = deploy.proxy.value_or(ProxySpec{});
    for (auto &&[key, value] : *table) {
        const QString name = toQString(key.str());
        const QString where = t + QStringLiteral(" proxy.") + name;
        if (name == QLatin1String("hosts")) {
            QStringList hosts;
            if (!readStringList(problems, value, where, hosts))
                continue;
            const toml::array &array = *value.as_array();
            for (qsizetype i = 0; i < hosts.size(); ++i) {
                const QString &host = hosts.at(i);
                if (!isHostName(host)) {
                    problems.fail(lineOf(array[size_t(i)]),
                                  where + u' ' + quoted(host) +
                                      QStringLiteral(" must be a host name in lower case, e.g. "
                                                     "\"app.example.com\""));
                    break;
                }
                if (hosts.indexOf(host) < i) {
                    problems.fail(lineOf(array[size_t(i)]),
                                  where + u' ' + quoted(host) + QStringLiteral(" is listed twice"));
                    break;
                }
            }
            proxy.hosts = hosts;
        } else if (name == QLatin1String("port")) {
            readPort(problems, value, where, proxy.port);
        } else if (name == QLatin1String("path_prefix")) {
            if (readString(problems, value, where, proxy.pathPrefix) &&
                (!proxy.pathPrefix.startsWith(u'/') ||
                 std::any_of(proxy.pathPrefix.begin(), proxy.pathPrefix.end(),
                             [](QChar c) { return c.isSpace() || c == u'?' || c == u'#'; })))
                problems.fail(
                    lineOf(value),
                    where + u' ' + quoted(proxy.pathPrefix) +
                        QStringLiteral(" must be a path that starts with '/' and has no spaces, '?' or "
                                       "'#', e.g. \"/api\""));
            if (proxy.pathPrefix.size() > 1 && proxy.pathPrefix.endsWith(u'/'))
                proxy.pathPrefix.chop(1);
            if (proxy.pathPrefix == u"/")
                proxy.pathPrefix.clear();
        } else if (name == QLatin1String("tls")) {
            proxy.tlsCertificate.clear();
            proxy.tlsKey.clear();
            proxy.tlsInternal = false;
            readProxyTls(problems, value, where, proxy);
        } else if (name == QLatin1String("drain_timeout")) {
            readDuration(problems, value, where, proxy.drainSeconds);
        } else {
            problems.fail(lineOf(key), t + QStringLiteral(" unknown key 'proxy.") + name + u'\'');
        }
    }
    if (proxy.hosts.isEmpty())
        problems.fail(lineOf(node), t + QStringLiteral(" proxy.hosts must name at least one host, e.g. "
                                                       "hosts = [\"app.example.com\"]"));
    else if (proxy.port == 0)
        problems.fail(lineOf(node), t + QStringLiteral(" proxy.port is missing: the port the app listens "
                                                       "on inside its container, e.g. port = 3000"));
    deploy.proxy = proxy;
}

} // namespace slipway::spec_detail
