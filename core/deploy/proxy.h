#pragma once

#include "deploy/deploylock.h"
#include "projectfile/spec.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stop_token>

namespace slipway {

class EngineClient;
struct Target;

// Whether a target's proxy settings can work: its image is a reference, its ports are from 1 to
// 65535 (0: the default) and its HTTP and HTTPS ports differ, defaults included (it publishes
// both). One line naming the target. What `target add` and the window's form both check.
Status checkProxySettings(const Target &target);

// Whether a TLS certificate chain (PEM, the server's first) and its private key (PEM) can serve:
// both parse, the key is the certificate's, and the certificate is valid now. One line saying
// what is wrong, naming `certificateName` and `keyName` (the files).
Status checkCertificate(const QByteArray &certificatePem, const QByteArray &keyPem,
                        const QString &certificateName, const QString &keyName);

// A certificate for `hosts` (the first its subject, all of them its alternative names), signed
// by its own new key, valid from an hour ago for 90 days: PEM chain and key, what tls =
// "internal" serves.
Result<QByteArray> selfSignedCertificate(const QStringList &hosts);

// One app's route through a target's proxy, as the proxy's state file keeps it.
struct ProxyRoute
{
    QString app;
    QStringList hosts;
    QString pathPrefix;
    bool tls = false;         // its certificate is certs/APP.pem in the proxy's volume
    bool maintenance = false; // the proxy answers 503 with a page of its own instead
    // The backend's two slots: the live one serves, the other is the next release's. An
    // address is "IP:PORT" on the proxy's network; empty: the slot was never used.
    QString live = QStringLiteral("blue");
    QString blue;
    QString green;

    QString idle() const { return live == u"blue" ? QStringLiteral("green") : QStringLiteral("blue"); }
    QString &address(const QString &slot) { return slot == u"blue" ? blue : green; }
    QString backend() const { return QStringLiteral("app-") + app; }
};

// A target's proxy as it is: whether it is there and runs, and the apps it routes.
struct ProxyStatus
{
    bool exists = false;
    bool running = false;
    QString image;        // the one the target's settings ask for
    QString runningImage; // the one its container was made from
    int httpPort = 0;     // the host ports it was asked to take
    int httpsPort = 0;
    QList<ProxyRoute> routes; // read only when it runs
};

// Looks at `target`'s proxy without making or changing anything (blocking, for a worker
// thread): what `slipway-cli target check` and the Targets page show.
Result<ProxyStatus> inspectProxy(const Target &target, std::stop_token stop = {});
// "proxy on ports 80 and 443: web (a.example.com), shop (shop.example.com/api, in maintenance)";
// "no proxy yet" when there is none.
QString describeProxy(const ProxyStatus &status);

// Makes `target`'s proxy again from the image the target's settings name (after
// `--proxy-image` changed, or to take a new default): the new image is pulled first; then the
// old container goes and the new one starts with every route the volume keeps. Its apps do not
// answer in between (a second or two). Nothing when it runs that image already. What was done.
Result<QString> upgradeProxy(const Target &target, const std::function<void(const QString &)> &say,
                             std::stop_token stop = {});

// The target's proxy: an HAProxy container (`slipway-proxy`) on its own network, holding the
// target's HTTP and HTTPS host ports, managed only through the Engine API. Its configuration
// and state live in a volume (`slipway-proxy`, at /var/lib/slipway-proxy): haproxy.cfg, which
// Slipway writes whole, state.json (the routes it was written from) and certs/APP.pem.
//
// A route's change of host names or TLS is a configuration reload (the master process re-reads
// the file; connections in flight stay with the old worker until they end). Moving an app to
// a new release is not: the runtime API (a TCP socket on the proxy's loopback, reached with
// bash's /dev/tcp through exec) points the backend's idle slot at the new container, makes it
// ready and puts the old slot in maintenance, where requests already on it finish and no new
// one arrives. The same commands check the new container's health from the proxy's network
// and count what the old slot still serves. (The default image, the official Debian-based
// haproxy one, has bash; the test image is made from Debian's haproxy package.)
class TargetProxy final
{
public:
    static constexpr const char *network = "slipway-proxy";
    static constexpr const char *containerName = "slipway-proxy";
    static constexpr const char *volume = "slipway-proxy";
    static constexpr const char *defaultImage = "docker.io/library/haproxy:2.6.16";
    // Where the proxy listens inside its container; the target's host ports map here.
    static constexpr int httpPort = 8080;
    static constexpr int httpsPort = 8443;
    // The runtime API, on the proxy's own loopback; the volume's mount point.
    static constexpr int runtimePort = 9999;
    static constexpr const char *stateDirectory = "/var/lib/slipway-proxy";

    TargetProxy(EngineClient &client, const Target &target, std::function<void(const QString &)> say,
                std::stop_token stop);

    // The image, ports and name the target's settings give.
    QString image() const;
    int hostHttpPort() const;
    int hostHttpsPort() const;

    // Finds the proxy without making it: false when there is none. Reads its routes when it runs.
    Result<bool> attach(bool *running = nullptr);
    // The proxy is running, made (network, volume, container) or started when it is not, and
    // its state is read. Fails with one line when its image cannot be had, its host ports are
    // taken, or its state cannot be read.
    Status ensure();
    // Makes the proxy again from image() (upgradeProxy()).
    Result<QString> upgrade();
    // The image the proxy container was made from (after attach() or ensure()).
    const QString &runningImage() const { return m_runningImage; }
    // The routes it has now (after ensure()).
    const QList<ProxyRoute> &routes() const { return m_routes; }
    std::optional<ProxyRoute> route(const QString &app) const;

    // Whether `spec`'s host names and path are free for `app` on this proxy: one line naming
    // the target, the app and the other app that has one of them.
    Status checkClaims(const QString &app, const ProxySpec &spec) const;

    // Asks `path` (empty: only connects) of address:port from the proxy's network: true on an
    // HTTP status below 400 (or a connection), false with `problem` said otherwise.
    Result<bool> probe(const QString &address, int port, const QString &path, QString *problem);

    // Routes `app` to `address` ("IP:PORT"): a new route or one whose hosts, path or TLS
    // changed is written and reloaded first; then the idle slot takes the address and serves,
    // and the old slot drains. `certificate`: the PEM chain and key, with spec.tls. Returns the
    // slot that served before (empty: none).
    Result<QString> switchTo(const QString &app, const ProxySpec &spec, const QString &address,
                             const QByteArray &certificate);
    // Puts `app` into maintenance (the proxy answers its requests with 503 and a page saying
    // so; what it serves finishes) or back live. Holds the proxy's lock. An app with no route
    // on this proxy is a BadInput error naming target and app.
    Status setMaintenance(const QString &app, bool on);
    // Takes `app`'s route away (when it is removed); nothing when it has none. Holds the lock.
    Status removeRoute(const QString &app);
    // The lock every change of the proxy's routes holds: one deploy or operation at a time.
    Status lock(std::optional<DeployLock> &holder, bool wait);

    // Waits until `app`'s slot `slot` serves no request, or `seconds` passed (then says so).
    Status drain(const QString &app, const QString &slot, int seconds);

    // The configuration haproxy.cfg holds for `routes`, state.json for them, and the routes a
    // state.json holds (proxyconfig.cpp).
    static QByteArray configuration(const QList<ProxyRoute> &routes);
    static QByteArray stateFile(const QList<ProxyRoute> &routes);
    static QList<ProxyRoute> parseState(const QJsonObject &state);

private:
    Status pullImage();
    Result<QString> workerPid(const QString &notPid, int ms);
    Status create();
    Status readState();
    Status writeFiles(const QList<std::pair<QString, QByteArray>> &files);
    Status reload(const QList<ProxyRoute> &routes, const QList<std::pair<QString, QByteArray>> &extra);
    Result<QString> runtime(const QString &commands);
    Result<int> workerCount();
    Result<int> currentSessions(const QString &backend, const QString &server);
    QString where() const;

    EngineClient &m_client;
    const Target &m_target;
    std::function<void(const QString &)> m_say;
    std::stop_token m_stop;
    QString m_id;
    QString m_runningImage;
    QList<ProxyRoute> m_routes;
};

} // namespace slipway
