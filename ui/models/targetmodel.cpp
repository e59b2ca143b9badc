#include "models/targetmodel.h"

#include "deploy/apps.h"
#include "deploy/proxy.h"
#include "engine/endpoint.h"
#include "engine/probe.h"
#include "history/history.h"

#include "models/whendone.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QtConcurrent/QtConcurrentRun>

using slipway::History;
using slipway::Target;

namespace {

struct Loaded
{
    QList<TargetModel::Row> rows;
    QString error;
};

// The same rule as slipway-cli target add: names go into container labels and file names.
QString nameError(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (name.isEmpty())
        return QObject::tr("a target needs a name");
    if (!pattern.match(name).hasMatch())
        return QObject::tr("target name '%1': use letters, digits, '.', '_' and '-', starting with a "
                           "letter or digit, at most 64 characters")
            .arg(name);
    return {};
}

QString absolutePath(const QString &path)
{
    return path.isEmpty() ? path : QFileInfo(path).absoluteFilePath();
}

Loaded load(const QString &path)
{
    Loaded loaded;
    // No database yet: no targets. Opening would create it; adding a target does that.
    if (!QFileInfo::exists(path))
        return loaded;
    auto history = History::open(path);
    if (!history) {
        loaded.error = history.error().message;
        return loaded;
    }
    auto targets = history.value()->targets();
    if (!targets) {
        loaded.error = targets.error().message;
        return loaded;
    }
    for (const Target &target : targets.value()) {
        TargetModel::Row row;
        row.target = target;
        if (auto current = history.value()->currentRelease(target.name); current && current->has_value()) {
            row.currentDigest = current->value().digest;
            row.currentCommit = current->value().commit;
            row.currentWhen = current->value().created;
        }
        loaded.rows.append(row);
    }
    return loaded;
}

// A connection test's answers: the engine's, then (once it answered) its proxy's.
struct Checked
{
    QString check;
    bool checkOk = false;
    QString proxyCheck;
    bool proxyCheckOk = false;
    QString swarm;
    bool swarmOk = false;
    QStringList swarmNodes;
    QStringList swarmServices;
};

// Blocking, for a pool thread: what `slipway-cli target check` prints, in one call.
Checked checkTarget(const Target &target, std::stop_token stop)
{
    Checked checked;
    const slipway::Result<slipway::EngineInfo> info = slipway::probeTarget(target, stop);
    checked.checkOk = info.ok();
    if (!info) {
        checked.check = info.error().message;
        return checked;
    }
    checked.check = QStringLiteral("%1 %2, API %3").arg(info->name, info->version, info->apiVersion);
    checked.swarm = slipway::describeSwarmPart(info.value());
    checked.swarmOk = !info->swarmOverview || info->swarmOverview->ok();
    if (!checked.swarmOk) {
        checked.swarm = info->swarmOverview->error().message;
    } else if (info->swarmOverview) {
        for (const slipway::SwarmNode &node : info->swarmOverview->value().nodes)
            checked.swarmNodes.append(slipway::describeSwarmNode(node));
        for (const slipway::SwarmServiceReplicas &service : info->swarmOverview->value().services)
            checked.swarmServices.append(slipway::describeSwarmService(service));
    }
    const slipway::Result<slipway::ProxyStatus> proxy = slipway::inspectProxy(target, stop);
    checked.proxyCheckOk = proxy.ok();
    checked.proxyCheck = proxy ? slipway::describeProxy(proxy.value()) : proxy.error().message;
    return checked;
}

// An upgrade's answers: core's summary or error, then the proxy as it is after it.
struct Upgraded
{
    QString summary;
    bool ok = false;
    QString proxyCheck;
    bool proxyCheckOk = false;
};

// Blocking, for a pool thread: `slipway-cli target upgrade-proxy`, then the proxy read again
// (what the connection test shows under the engine's line).
Upgraded upgradeTarget(const Target &target, std::stop_token stop)
{
    Upgraded upgraded;
    const slipway::Result<QString> done = slipway::upgradeProxy(target, {}, stop);
    upgraded.ok = done.ok();
    upgraded.summary = done ? done.value() : done.error().message;
    const slipway::Result<slipway::ProxyStatus> proxy = slipway::inspectProxy(target, stop);
    upgraded.proxyCheckOk = proxy.ok();
    // An engine that does not answer fails both: its line is the upgrade's, as a connection
    // test that fails shows no proxy line.
    if (proxy || upgraded.ok)
        upgraded.proxyCheck = proxy ? slipway::describeProxy(proxy.value()) : proxy.error().message;
    return upgraded;
}

const QString localCheckedKey = QStringLiteral("targets/localEngineOffered");

// The first socket whose engine answers, as the endpoint of a target "local", if the database
// has no target yet; empty otherwise.
QString addLocalTarget(const QString &historyPath, const QStringList &sockets, std::stop_token stop)
{
    if (QFileInfo::exists(historyPath)) {
        auto history = History::open(historyPath);
        if (!history)
            return {};
        if (auto targets = history.value()->targets(); !targets || !targets->isEmpty())
            return {};
    }
    for (const QString &socket : sockets) {
        if (stop.stop_requested())
            return {};
        if (socket.isEmpty() || !QFileInfo::exists(socket) || QFileInfo(socket).isDir())
            continue;
        Target target;
        target.name = QStringLiteral("local");
        target.endpoint = QStringLiteral("unix://") + socket;
        if (!slipway::probeTarget(target, stop))
            continue;
        auto history = History::open(historyPath);
        if (!history)
            return {};
        // Checked again: the user may have added one meanwhile (the CLI, another window).
        if (auto targets = history.value()->targets(); !targets || !targets->isEmpty())
            return {};
        return history.value()->addTarget(target) ? target.endpoint : QString();
    }
    return {};
}

} // namespace

TargetModel::TargetModel(const QString &historyPath, QObject *parent)
    : PoolListModel(parent)
    , m_historyPath(historyPath)
{}

TargetModel::~TargetModel()
{
    m_stop.request_stop();
}

QVariant TargetModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.target.name;
    case EndpointRole:
        return slipway::displayEndpoint(row.target.endpoint);
    case TlsCaRole:
        return row.target.tlsCa;
    case TlsCertRole:
        return row.target.tlsCert;
    case TlsKeyRole:
        return row.target.tlsKey;
    case ProxyImageRole:
        return row.target.proxyImage;
    case ProxyHttpPortRole:
        return row.target.proxyHttpPort;
    case ProxyHttpsPortRole:
        return row.target.proxyHttpsPort;
    case CheckRole:
        return row.check;
    case CheckOkRole:
        return row.checkOk;
    case CheckingRole:
        return row.checking;
    case CurrentDigestRole:
        return row.currentDigest;
    case CurrentCommitRole:
        return row.currentCommit;
    case CurrentWhenRole:
        return row.currentWhen;
    case ProxyCheckRole:
        return row.proxyCheck;
    case ProxyCheckOkRole:
        return row.proxyCheckOk;
    case ProxyUpgradeRole:
        return row.proxyUpgrade;
    case ProxyUpgradeOkRole:
        return row.proxyUpgradeOk;
    case UpgradingRole:
        return row.upgrading;
    case SwarmRole:
        return row.swarm;
    case SwarmOkRole:
        return row.swarmOk;
    case SwarmNodesRole:
        return row.swarmNodes;
    case SwarmServicesRole:
        return row.swarmServices;
    default:
        return {};
    }
}

QHash<int, QByteArray> TargetModel::roleNames() const
{
    return {{NameRole, "name"},
            {EndpointRole, "endpoint"},
            {TlsCaRole, "tlsCa"},
            {TlsCertRole, "tlsCert"},
            {TlsKeyRole, "tlsKey"},
            {ProxyImageRole, "proxyImage"},
            {ProxyHttpPortRole, "proxyHttpPort"},
            {ProxyHttpsPortRole, "proxyHttpsPort"},
            {CheckRole, "check"},
            {CheckOkRole, "checkOk"},
            {CheckingRole, "checking"},
            {CurrentDigestRole, "currentDigest"},
            {CurrentCommitRole, "currentCommit"},
            {CurrentWhenRole, "currentWhen"},
            {ProxyCheckRole, "proxyCheck"},
            {ProxyCheckOkRole, "proxyCheckOk"},
            {ProxyUpgradeRole, "proxyUpgrade"},
            {ProxyUpgradeOkRole, "proxyUpgradeOk"},
            {UpgradingRole, "upgrading"},
            {SwarmRole, "swarm"},
            {SwarmOkRole, "swarmOk"},
            {SwarmNodesRole, "swarmNodes"},
            {SwarmServicesRole, "swarmServices"}};
}

void TargetModel::refresh()
{
    const quint64 generation = ++m_generation;
    begin();
    whenDone(this, QtConcurrent::run(load, m_historyPath), [this, generation](const Loaded &loaded) {
        end();
        if (generation != m_generation)
            return; // a newer refresh is on its way
        // A refresh keeps the connection tests and upgrades already made (and those on their
        // way): they are not in the database.
        QList<Row> rows = loaded.rows;
        for (Row &row : rows)
            if (const int old = indexOf(row.target.name); old >= 0) {
                const Row &was = m_rows.at(old);
                row.check = was.check;
                row.checkOk = was.checkOk;
                row.checking = was.checking;
                row.proxyCheck = was.proxyCheck;
                row.proxyCheckOk = was.proxyCheckOk;
                row.proxyUpgrade = was.proxyUpgrade;
                row.proxyUpgradeOk = was.proxyUpgradeOk;
                row.upgrading = was.upgrading;
                row.swarm = was.swarm;
                row.swarmOk = was.swarmOk;
                row.swarmNodes = was.swarmNodes;
                row.swarmServices = was.swarmServices;
            }
        setRows(rows);
        setError(loaded.error);
        Q_EMIT refreshed();
    });
}

QString TargetModel::checkName(const QString &name) const
{
    return nameError(name);
}

QString TargetModel::validate(Target &target)
{
    target.endpoint = target.endpoint.trimmed();
    target.tlsCa = absolutePath(target.tlsCa);
    target.tlsCert = absolutePath(target.tlsCert);
    target.tlsKey = absolutePath(target.tlsKey);
    if (QString error = nameError(target.name); !error.isEmpty())
        return error;
    if (target.endpoint.isEmpty())
        return tr("target %1: an endpoint is needed (unix://, tcp:// or ssh://)").arg(target.name);
    // Refused before anything repeats the endpoint: the password must not reach a message.
    if (!QUrl(target.endpoint).password().isEmpty())
        return tr("target %1: the endpoint holds a password; use ssh keys or the agent, or TLS client "
                  "certificates")
            .arg(target.name);
    if (auto endpoint = slipway::parseEndpoint(target); !endpoint)
        return endpoint.error().message;
    target.proxyImage = target.proxyImage.trimmed();
    if (slipway::Status proxy = slipway::checkProxySettings(target); !proxy)
        return proxy.error().message;
    return {};
}

QString TargetModel::parsePort(const QString &target, const QString &label, const QString &text, int *port)
{
    *port = 0;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    bool isNumber = false;
    const int number = trimmed.toInt(&isNumber);
    if (!isNumber || number < 1 || number > 65535)
        return tr("target %1: %2 takes a port from 1 to 65535 (empty: the default), not '%3'")
            .arg(target, label, trimmed.left(40));
    *port = number;
    return {};
}

void TargetModel::save(bool editing, const QString &name, const QString &endpoint, const QString &tlsCa,
                       const QString &tlsCert, const QString &tlsKey, const QString &proxyImage,
                       const QString &proxyHttpPort, const QString &proxyHttpsPort)
{
    Target target{.name = name.trimmed(),
                  .endpoint = endpoint,
                  .tlsCa = tlsCa,
                  .tlsCert = tlsCert,
                  .tlsKey = tlsKey,
                  .proxyImage = proxyImage};
    // The form's labels, so that a message names the field to fix.
    const QString httpLabel = tr("Proxy HTTP port");
    const QString httpsLabel = tr("Proxy HTTPS port");
    const QString path = m_historyPath;
    begin();
    whenDone(this,
             QtConcurrent::run([path, target, editing, proxyHttpPort, proxyHttpsPort, httpLabel,
                                httpsLabel]() mutable -> QString {
                 // The name first: a port's message names the target.
                 if (QString error = nameError(target.name); !error.isEmpty())
                     return error;
                 if (QString error = parsePort(target.name, httpLabel, proxyHttpPort, &target.proxyHttpPort);
                     !error.isEmpty())
                     return error;
                 if (QString error =
                         parsePort(target.name, httpsLabel, proxyHttpsPort, &target.proxyHttpsPort);
                     !error.isEmpty())
                     return error;
                 if (QString error = validate(target); !error.isEmpty())
                     return error;
                 auto history = History::open(path);
                 if (!history)
                     return history.error().message;
                 const slipway::Status status =
                     editing ? history.value()->updateTarget(target) : history.value()->addTarget(target);
                 return status ? QString() : status.error().message;
             }),
             [this](const QString &error) {
                 end();
                 Q_EMIT saved(error.isEmpty(), error);
                 if (error.isEmpty())
                     refresh();
             });
}

void TargetModel::remove(const QString &name, bool removeApps)
{
    const QString path = m_historyPath;
    begin();
    whenDone(this, QtConcurrent::run([path, name, removeApps, stop = m_stop.get_token()]() -> QString {
                 auto history = History::open(path);
                 if (!history)
                     return history.error().message;
                 // The same steps as slipway-cli target remove --remove-apps.
                 if (removeApps) {
                     auto target = history.value()->target(name);
                     if (!target)
                         return target.error().message;
                     slipway::OperationOptions options;
                     options.stop = stop;
                     if (auto removed = slipway::removeAppsOf(*history.value(), target.value(), options);
                         !removed)
                         return removed.error().message;
                 }
                 const slipway::Status status = history.value()->removeTarget(name);
                 return status ? QString() : status.error().message;
             }),
             [this](const QString &error) {
                 end();
                 setError(error);
                 Q_EMIT removed(error.isEmpty(), error);
                 refresh();
             });
}

QString TargetModel::defaultProxyImage()
{
    return QString::fromLatin1(slipway::TargetProxy::defaultImage);
}

void TargetModel::testConnection(int row)
{
    if (row < 0 || row >= count() || m_rows.at(row).checking || m_rows.at(row).upgrading)
        return;
    const Target target = m_rows.at(row).target;
    m_rows[row].checking = true;
    Q_EMIT dataChanged(index(row), index(row), {CheckingRole});
    whenDone(this,
             QtConcurrent::run([target, stop = m_stop.get_token()] { return checkTarget(target, stop); }),
             [this, name = target.name](const Checked &answer) {
                 const int at = indexOf(name);
                 if (at >= 0) {
                     Row &done = m_rows[at];
                     done.checking = false;
                     done.checkOk = answer.checkOk;
                     done.check = answer.check;
                     done.proxyCheck = answer.proxyCheck;
                     done.proxyCheckOk = answer.proxyCheckOk;
                     done.proxyUpgrade.clear(); // the proxy line says what is there now
                     done.proxyUpgradeOk = false;
                     done.swarm = answer.swarm;
                     done.swarmOk = answer.swarmOk;
                     done.swarmNodes = answer.swarmNodes;
                     done.swarmServices = answer.swarmServices;
                     Q_EMIT dataChanged(index(at), index(at),
                                        {CheckRole, CheckOkRole, CheckingRole, ProxyCheckRole,
                                         ProxyCheckOkRole, ProxyUpgradeRole, ProxyUpgradeOkRole, SwarmRole,
                                         SwarmOkRole, SwarmNodesRole, SwarmServicesRole});
                 }
                 Q_EMIT checked(name);
             });
}

void TargetModel::upgradeProxy(int row)
{
    if (row < 0 || row >= count() || m_rows.at(row).checking || m_rows.at(row).upgrading)
        return;
    const Target target = m_rows.at(row).target;
    m_rows[row].upgrading = true;
    Q_EMIT dataChanged(index(row), index(row), {UpgradingRole});
    whenDone(this,
             QtConcurrent::run([target, stop = m_stop.get_token()] { return upgradeTarget(target, stop); }),
             [this, name = target.name](const Upgraded &answer) {
                 const int at = indexOf(name);
                 if (at >= 0) {
                     Row &done = m_rows[at];
                     done.upgrading = false;
                     done.proxyUpgrade = answer.summary;
                     done.proxyUpgradeOk = answer.ok;
                     done.proxyCheck = answer.proxyCheck;
                     done.proxyCheckOk = answer.proxyCheckOk;
                     Q_EMIT dataChanged(index(at), index(at),
                                        {UpgradingRole, ProxyUpgradeRole, ProxyUpgradeOkRole, ProxyCheckRole,
                                         ProxyCheckOkRole});
                 }
                 Q_EMIT proxyUpgraded(name, answer.ok, answer.summary);
             });
}

int TargetModel::indexOf(const QString &name) const
{
    for (int row = 0; row < count(); ++row)
        if (m_rows.at(row).target.name == name)
            return row;
    return -1;
}

void TargetModel::setRows(const QList<Row> &rows)
{
    resetRows(m_rows, rows);
}

QStringList TargetModel::localEngineSockets()
{
    QStringList sockets;
    if (const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR"); !runtime.isEmpty())
        sockets << QDir(runtime).filePath(QStringLiteral("podman/podman.sock"));
    sockets << QStringLiteral("/run/podman/podman.sock") << QStringLiteral("/var/run/docker.sock");
    return sockets;
}

bool TargetModel::addLocalTargetOnFirstLaunch(bool newcomer, const QStringList &sockets)
{
    QSettings settings;
    if (!newcomer || settings.value(localCheckedKey).toBool())
        return false;
    // Remembered before the answer: a launch that ends before it does not try again either.
    settings.setValue(localCheckedKey, true);
    begin();
    whenDone(this, QtConcurrent::run([path = m_historyPath, sockets, stop = m_stop.get_token()] {
                 return addLocalTarget(path, sockets, stop);
             }),
             [this](const QString &endpoint) {
                 end();
                 if (!endpoint.isEmpty())
                     refresh();
                 Q_EMIT localTargetChecked(endpoint);
             });
    return true;
}
