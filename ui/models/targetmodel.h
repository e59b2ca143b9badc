#pragma once

#include "models/poollistmodel.h"

#include "engine/target.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

// The Targets page: the targets of the history database with the last connection test of each
// and the release Slipway last deployed there. Every database and engine call runs on a pool
// thread with its own History (one History per thread); the answers come back as values and
// replace rows on this object's thread. Not final: QML_ELEMENT derives from it.
class TargetModel : public PoolListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    // The image a target's proxy runs when its settings name none (core's pinned default).
    Q_PROPERTY(QString defaultProxyImage READ defaultProxyImage CONSTANT)

public:
    enum Roles
    {
        NameRole = Qt::UserRole + 1,
        EndpointRole,
        TlsCaRole,
        TlsCertRole,
        TlsKeyRole,
        ProxyImageRole,     // empty: the pinned default
        ProxyHttpPortRole,  // 0: 80
        ProxyHttpsPortRole, // 0: 443
        CheckRole,          // "Podman Engine 4.3.1, API 1.41", the one-line error, or empty: not tested
        CheckOkRole,        // the last test reached the engine
        CheckingRole,       // a test is on its way
        CurrentDigestRole,  // of the release running there now; empty when none
        CurrentCommitRole,
        CurrentWhenRole, // QDateTime of that release
        // From the same test, once the engine answered: core's describeProxy ("proxy on ports 80
        // and 443: web (a.example.com)", "no proxy yet ..."), or the one-line error reading it;
        // empty: not tested, or the engine did not answer.
        ProxyCheckRole,
        ProxyCheckOkRole, // the proxy could be read
        // The last Upgrade proxy: core's upgradeProxy summary ("the proxy runs IMAGE (was OLD),
        // with 2 route(s)", "the proxy runs IMAGE already") or its one-line error; empty: none.
        ProxyUpgradeRole,
        ProxyUpgradeOkRole,
        UpgradingRole, // an upgrade is on its way
        // From the same test, for an engine in a Swarm: core's describeSwarmPart ("manager, 2
        // nodes", "worker (deploys go to a manager)"), or the one-line error reading a manager's
        // nodes and services; empty: not tested, or an engine in no Swarm.
        SwarmRole,
        SwarmOkRole,
        // A manager's nodes (core's describeSwarmNode: "node-a: ready, active, manager, leader")
        // and Slipway's services with their replicas per node (describeSwarmService: "web:
        // release 12, 3/3 replicas (node-a 2, node-b 1)"), as QStringLists.
        SwarmNodesRole,
        SwarmServicesRole,
    };
    Q_ENUM(Roles)

    // One target with what the page shows beside it.
    struct Row
    {
        slipway::Target target;
        QString check;
        bool checkOk = false;
        bool checking = false;
        QString proxyCheck;
        bool proxyCheckOk = false;
        QString proxyUpgrade;
        bool proxyUpgradeOk = false;
        bool upgrading = false;
        QString swarm;
        bool swarmOk = false;
        QStringList swarmNodes;
        QStringList swarmServices;
        QString currentDigest;
        QString currentCommit;
        QDateTime currentWhen;
    };

    // historyPath: the database file (History::defaultPath of the data directory).
    explicit TargetModel(const QString &historyPath, QObject *parent = nullptr);
    ~TargetModel() override;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const override { return int(m_rows.size()); }
    QString historyPath() const { return m_historyPath; }

    // Reads the targets and their current releases off this thread.
    Q_INVOKABLE void refresh();
    // The name rule the CLI applies (letters, digits, '.', '_', '-'): an error line, or empty.
    // Only a pattern: the page calls it on every keystroke.
    Q_INVOKABLE QString checkName(const QString &name) const;
    // Adds (editing false) or updates a target on a pool thread after the checks
    // `slipway-cli target add` makes (name, no password in the endpoint, parseEndpoint: the
    // scheme, port, and TLS files given together and readable; the proxy's image a reference,
    // its ports from 1 to 65535 and not the same). The ports are the form's text: empty is the
    // default. Emits saved() either way.
    Q_INVOKABLE void save(bool editing, const QString &name, const QString &endpoint, const QString &tlsCa,
                          const QString &tlsCert, const QString &tlsKey,
                          const QString &proxyImage = QString(), const QString &proxyHttpPort = QString(),
                          const QString &proxyHttpsPort = QString());
    // Removes the target from the database; with removeApps, first the apps Slipway deployed
    // there (stopped, removed and recorded, as slipway-cli target remove --remove-apps).
    Q_INVOKABLE void remove(const QString &name, bool removeApps = false);
    // Pings the row's engine off this thread and, when it answers, reads its proxy in the same
    // worker call (core's inspectProxy, as `slipway-cli target check`), and a Swarm manager's
    // nodes and services (read by core's probeTarget); the row's check, proxy check and swarm
    // roles hold the answers.
    Q_INVOKABLE void testConnection(int row);
    // Makes the row's proxy again from the image its settings name, keeping every route (core's
    // upgradeProxy, as `slipway-cli target upgrade-proxy`), then reads it again, both in one
    // worker call: the upgrade role holds the summary or error, the proxy check role the proxy
    // as it is now. Nothing while the row's test or upgrade runs.
    Q_INVOKABLE void upgradeProxy(int row);
    Q_INVOKABLE int indexOf(const QString &name) const;
    // A FileDialog's file:// URL as a path.
    Q_INVOKABLE QString fromDialogUrl(const QUrl &url) const { return url.toLocalFile(); }

    // The checks of save(), usable off the GUI thread: success or one line naming the target.
    static QString validate(slipway::Target &target);
    static QString defaultProxyImage();
    // A port field's text as a port: empty is 0 (the default), else 1 to 65535. An error line
    // naming the target and the field (`label`, as the form shows it), or empty.
    static QString parsePort(const QString &target, const QString &label, const QString &text, int *port);

    // The engine sockets a machine may have, in the order they are tried: rootless Podman
    // ($XDG_RUNTIME_DIR/podman/podman.sock), rootful Podman, Docker.
    static QStringList localEngineSockets();
    // A newcomer's first launch (newcomer: ProjectModel::isFirstLaunch()) gets a target "local"
    // for the first of `sockets` whose engine answers a ping, unless the database holds a target
    // already. Done once per user (remembered in QSettings whatever the outcome), never again;
    // the pings and the database run off this thread. Returns false when there is nothing to do;
    // otherwise localTargetChecked() answers.
    bool addLocalTargetOnFirstLaunch(bool newcomer, const QStringList &sockets = localEngineSockets());

Q_SIGNALS:
    void saved(bool ok, const QString &error);
    void removed(bool ok, const QString &error);
    void checked(const QString &name); // a connection test ended
    void refreshed();                  // a refresh() answered
    // An upgradeProxy() ended: core's summary, or its one-line error.
    void proxyUpgraded(const QString &name, bool ok, const QString &message);
    // addLocalTargetOnFirstLaunch() answered: the endpoint of the target added, or empty.
    void localTargetChecked(const QString &endpoint);

private:
    void setRows(const QList<Row> &rows);

    QString m_historyPath;
    QList<Row> m_rows;
    quint64 m_generation = 0;
    std::stop_source m_stop; // the model's end stops connection tests in flight
};
