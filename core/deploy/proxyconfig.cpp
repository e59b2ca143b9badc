#include "deploy/proxy.h"

#include "engine/target.h"
#include "registry/imagereference.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// The proxy's files and the checks of its settings: what TargetProxy writes (haproxy.cfg,
// state.json), what it reads back, and what it says of itself.

namespace slipway {
namespace {

const QString stateDir = QString::fromLatin1(TargetProxy::stateDirectory);
constexpr int runtimePort = TargetProxy::runtimePort;

QString routeKey(const QString &host, const QString &pathPrefix)
{
    return host + (pathPrefix.isEmpty() ? QStringLiteral("/") : pathPrefix);
}

QJsonObject toJson(const ProxyRoute &route)
{
    return QJsonObject{{QStringLiteral("app"), route.app},
                       {QStringLiteral("hosts"), QJsonArray::fromStringList(route.hosts)},
                       {QStringLiteral("path_prefix"), route.pathPrefix},
                       {QStringLiteral("tls"), route.tls},
                       {QStringLiteral("maintenance"), route.maintenance},
                       {QStringLiteral("live"), route.live},
                       {QStringLiteral("blue"), route.blue},
                       {QStringLiteral("green"), route.green}};
}

ProxyRoute routeFromJson(const QJsonObject &json)
{
    ProxyRoute route;
    route.app = json.value(QStringLiteral("app")).toString();
    for (const QJsonValue &host : json.value(QStringLiteral("hosts")).toArray())
        route.hosts.append(host.toString());
    route.pathPrefix = json.value(QStringLiteral("path_prefix")).toString();
    route.tls = json.value(QStringLiteral("tls")).toBool();
    route.maintenance = json.value(QStringLiteral("maintenance")).toBool();
    route.live = json.value(QStringLiteral("live")).toString() == u"green" ? QStringLiteral("green")
                                                                           : QStringLiteral("blue");
    route.blue = json.value(QStringLiteral("blue")).toString();
    route.green = json.value(QStringLiteral("green")).toString();
    return route;
}

// "IP:PORT" as HAProxy's server line takes it; an unused slot points nowhere and is disabled.
QString serverAddress(const QString &address)
{
    return address.isEmpty() ? QStringLiteral("127.0.0.1:9") : address;
}

} // namespace

QByteArray TargetProxy::stateFile(const QList<ProxyRoute> &routes)
{
    QJsonArray array;
    for (const ProxyRoute &route : routes)
        array.append(toJson(route));
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("routes"), array}})
        .toJson(QJsonDocument::Indented);
}

QList<ProxyRoute> TargetProxy::parseState(const QJsonObject &state)
{
    QList<ProxyRoute> routes;
    for (const QJsonValue &value : state.value(QStringLiteral("routes")).toArray())
        routes.append(routeFromJson(value.toObject()));
    return routes;
}

Status checkProxySettings(const Target &target)
{
    if (!target.proxyImage.isEmpty())
        if (Result<ImageReference> image = ImageReference::parse(target.proxyImage); !image)
            return Error::badInput(
                QStringLiteral("target %1: the proxy image: %2").arg(target.name, image.error().message));
    for (const int port : {target.proxyHttpPort, target.proxyHttpsPort})
        if (port < 0 || port > 65535)
            return Error::badInput(QStringLiteral("target %1: a proxy port is from 1 to 65535, not %2")
                                       .arg(target.name)
                                       .arg(port));
    const int http = target.proxyHttpPort > 0 ? target.proxyHttpPort : 80;
    const int https = target.proxyHttpsPort > 0 ? target.proxyHttpsPort : 443;
    if (http == https)
        return Error::badInput(QStringLiteral("target %1: the proxy's HTTP and HTTPS ports are both %2; give "
                                              "them different ones")
                                   .arg(target.name)
                                   .arg(http));
    return success();
}

Status checkCertificate(const QByteArray &certificatePem, const QByteArray &keyPem,
                        const QString &certificateName, const QString &keyName)
{
    const std::unique_ptr<BIO, decltype(&BIO_free)> certificateBio(
        BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size())), BIO_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr), X509_free);
    if (!certificate)
        return Error::badInput(QStringLiteral("%1 holds no PEM certificate").arg(certificateName));
    const std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
        BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())), BIO_free);
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    ERR_clear_error();
    if (!key)
        return Error::badInput(
            QStringLiteral("%1 holds no PEM private key (or one with a passphrase)").arg(keyName));
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
        ERR_clear_error();
        return Error::badInput(
            QStringLiteral("%1 is not the key of the certificate %2").arg(keyName, certificateName));
    }
    const auto when = [](const ASN1_TIME *time) {
        struct tm parsed = {};
        if (ASN1_TIME_to_tm(time, &parsed) != 1)
            return QString();
        return QStringLiteral("%1-%2-%3")
            .arg(parsed.tm_year + 1900)
            .arg(parsed.tm_mon + 1, 2, 10, QLatin1Char('0'))
            .arg(parsed.tm_mday, 2, 10, QLatin1Char('0'));
    };
    if (X509_cmp_current_time(X509_get0_notAfter(certificate.get())) <= 0)
        return Error::badInput(QStringLiteral("the certificate %1 expired on %2")
                                   .arg(certificateName, when(X509_get0_notAfter(certificate.get()))));
    if (X509_cmp_current_time(X509_get0_notBefore(certificate.get())) >= 0)
        return Error::badInput(QStringLiteral("the certificate %1 is not valid before %2")
                                   .arg(certificateName, when(X509_get0_notBefore(certificate.get()))));
    return success();
}

Result<QByteArray> selfSignedCertificate(const QStringList &hosts)
{
    const auto failed = [](const char *what) {
        ERR_clear_error();
        return Error::failed(QStringLiteral("cannot make a certificate: %1").arg(QLatin1String(what)));
    };
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
    if (!key || !certificate || hosts.isEmpty())
        return failed("no key");
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return failed("no random serial");
    serial[0] &= 0x7f;
    const std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(serial, sizeof serial, nullptr),
                                                             BN_free);
    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray commonName = hosts.first().toUtf8();
    QStringList names;
    for (const QString &host : hosts)
        names.append(QStringLiteral("DNS:") + host);
    const QByteArray alternatives = names.join(u',').toUtf8();
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
    const std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> san(
        X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, alternatives.constData()),
        X509_EXTENSION_free);
    if (!number || X509_set_version(certificate.get(), 2) != 1 ||
        !BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate.get())) ||
        !X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 90L * 24 * 3600) ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(commonName.constData()),
                                   int(commonName.size()), -1, 0) != 1 ||
        X509_set_issuer_name(certificate.get(), name) != 1 ||
        X509_set_pubkey(certificate.get(), key.get()) != 1 || !san ||
        X509_add_ext(certificate.get(), san.get(), -1) != 1 ||
        X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
        return failed("signing failed");
    const std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
    if (!out || PEM_write_bio_X509(out.get(), certificate.get()) != 1 ||
        PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failed("cannot write PEM");
    char *data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return QByteArray(data, qsizetype(size));
}

QByteArray TargetProxy::configuration(const QList<ProxyRoute> &routes)
{
    QByteArray cfg;
    auto line = [&cfg](const QString &text) { cfg += text.toUtf8() + '\n'; };
    line(QStringLiteral("# Written by Slipway from state.json at each deploy: changes made here are lost."));
    line(QStringLiteral("global"));
    line(QStringLiteral("    master-worker"));
    line(QStringLiteral("    stats socket ipv4@127.0.0.1:%1 level admin").arg(runtimePort));
    line(QStringLiteral("    stats timeout 10s"));
    // After a reload the old worker keeps what it serves until it ends, an hour at most.
    line(QStringLiteral("    hard-stop-after 1h"));
    line(QStringLiteral("defaults"));
    line(QStringLiteral("    mode http"));
    line(QStringLiteral("    option forwardfor"));
    line(QStringLiteral("    timeout connect 5s"));
    line(QStringLiteral("    timeout client 60s"));
    line(QStringLiteral("    timeout server 60s"));
    line(QStringLiteral("    timeout http-request 10s"));
    line(QStringLiteral("    timeout http-keep-alive 10s"));
    line(QStringLiteral("frontend web"));
    line(QStringLiteral("    bind :%1").arg(httpPort));
    const bool tls = std::any_of(routes.begin(), routes.end(), [](const ProxyRoute &r) { return r.tls; });
    if (tls)
        line(QStringLiteral("    bind :%1 ssl crt %2/certs/").arg(httpsPort).arg(stateDir));
    line(QStringLiteral("    http-request set-header X-Forwarded-Proto https if { ssl_fc }"));
    line(QStringLiteral("    http-request set-var(txn.path) path"));
    line(QStringLiteral(
        "    http-request set-var(txn.route) req.hdr(host),field(1,:),lower,concat(,txn.path)"));
    // The longest host and path first: "app.test/api" before "app.test/".
    QList<std::pair<QString, QString>> keys;
    for (const ProxyRoute &route : routes)
        for (const QString &host : route.hosts)
            keys.append({routeKey(host, route.pathPrefix), route.backend()});
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
    for (const auto &[key, backend] : std::as_const(keys))
        line(QStringLiteral("    use_backend %1 if { var(txn.route) -m beg %2 }").arg(backend, key));
    line(QStringLiteral("    default_backend unrouted"));
    line(QStringLiteral("backend unrouted"));
    line(
        QStringLiteral("    http-request return status 404 content-type text/plain string \"No app is routed "
                       "here.\""));
    for (const ProxyRoute &route : routes) {
        line(QStringLiteral("backend %1").arg(route.backend()));
        // Every request to the first ready slot (blue before green): while both are ready, in
        // the middle of a switch, a client never goes from the new release back to the old.
        line(QStringLiteral("    balance first"));
        if (route.maintenance)
            line(QStringLiteral(
                     "    http-request return status 503 content-type \"text/html; charset=utf-8\" hdr "
                     "Retry-After 120 string \"<!doctype html><title>Down for maintenance</title>"
                     "<h1>Down for maintenance</h1><p>%1 is being worked on and will be back "
                     "soon.</p>\"")
                     .arg(route.hosts.value(0, route.app)));
        for (const QString &slot : {QStringLiteral("blue"), QStringLiteral("green")}) {
            const QString address = slot == u"blue" ? route.blue : route.green;
            line(
                QStringLiteral("    server %1 %2%3")
                    .arg(slot, serverAddress(address),
                         slot == route.live && !address.isEmpty() ? QString() : QStringLiteral(" disabled")));
        }
    }
    return cfg;
}

QString describeProxy(const ProxyStatus &status)
{
    if (!status.exists)
        return QStringLiteral(
                   "no proxy yet (made by the first deploy with [deploy.proxy], on ports %1 and %2)")
            .arg(status.httpPort)
            .arg(status.httpsPort);
    QStringList apps;
    for (const ProxyRoute &route : status.routes) {
        QStringList hosts;
        for (const QString &host : route.hosts)
            hosts.append(host + route.pathPrefix);
        QString text = route.app + QStringLiteral(" (") + hosts.join(QStringLiteral(", "));
        if (route.tls)
            text += QStringLiteral(", HTTPS");
        if (route.maintenance)
            text += QStringLiteral(", in maintenance");
        apps.append(text + u')');
    }
    QString state = status.running ? QString() : QStringLiteral(", not running");
    if (!status.runningImage.isEmpty() && status.runningImage != status.image)
        state += QStringLiteral(", runs %1 where the target asks for %2 (upgrade it)")
                     .arg(status.runningImage, status.image);
    return QStringLiteral("proxy on ports %1 and %2%3: %4")
        .arg(status.httpPort)
        .arg(status.httpsPort)
        .arg(state)
        .arg(apps.isEmpty() ? QStringLiteral("no apps") : apps.join(QStringLiteral(", ")));
}

} // namespace slipway
