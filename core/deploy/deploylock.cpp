#include "deploy/deploylock.h"

#include "engine/engineclient.h"
#include "util/logging.h"
#include "util/stopwait.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSysInfo>
#include <QUuid>

#include <mutex>

namespace slipway {
namespace {

constexpr auto labelMachine = "io.slipway.lock.machine";
constexpr auto labelHost = "io.slipway.lock.host";
constexpr auto labelPid = "io.slipway.lock.pid";
constexpr auto labelStart = "io.slipway.lock.start";
constexpr auto labelSince = "io.slipway.lock.since";
constexpr auto labelToken = "io.slipway.lock.token";
constexpr auto labelLock = "io.slipway.lock"; // the app, on the lock container only

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

// Field 22 of /proc/PID/stat, the start time in clock ticks since boot; -1 when there is no
// such process.
qint64 startTicksOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = line.mid(close + 2).split(' '); // fields[0] is field 3
    bool ok = false;
    const qint64 ticks = fields.value(19).toLongLong(&ok);
    return ok ? ticks : -1;
}

// The tokens of the holds this process has now: a hold of this process that is not among them
// was left by a rollout that could not release it (its engine went away), and is stale.
std::mutex liveMutex;
QSet<QString> liveTokens;

// A holder whose process is gone (on this machine: no such pid, or one started at another
// time, or this process without that hold), or whose hold is older than DeployLock::staleAfter.
bool isStale(const LockHolder &holder, const LockHolder &self)
{
    if (!holder.machine.isEmpty() && holder.machine == self.machine) {
        if (holder.pid == self.pid && holder.startTicks == self.startTicks) {
            const std::lock_guard lock(liveMutex);
            return !liveTokens.contains(holder.token);
        }
        const qint64 ticks = startTicksOf(holder.pid);
        return ticks < 0 || ticks != holder.startTicks;
    }
    const qint64 staleSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(DeployLock::staleAfter).count();
    return !holder.since.isValid() || holder.since.secsTo(QDateTime::currentDateTimeUtc()) > staleSeconds;
}

} // namespace

QString LockHolder::describe() const
{
    return QStringLiteral("pid %1 on %2 since %3")
        .arg(pid)
        .arg(host.isEmpty() ? QStringLiteral("another machine") : host,
             since.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")));
}

LockHolder LockHolder::self()
{
    LockHolder holder;
    holder.machine = QString::fromLatin1(QSysInfo::machineUniqueId());
    holder.host = QSysInfo::machineHostName();
    holder.pid = QCoreApplication::applicationPid();
    holder.startTicks = startTicksOf(holder.pid);
    holder.since = QDateTime::currentDateTimeUtc();
    holder.token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return holder;
}

DeployLock::DeployLock(EngineClient &client, QString app, QString image)
    : m_client(client)
    , m_app(std::move(app))
    , m_image(std::move(image))
    , m_self(LockHolder::self())
{}

DeployLock::~DeployLock()
{
    release();
}

DeployLock::Attempt DeployLock::tryCreate(Error *error)
{
    const QJsonObject labels{{label(labelMachine), m_self.machine},
                             {label(labelHost), m_self.host},
                             {label(labelPid), QString::number(m_self.pid)},
                             {label(labelStart), QString::number(m_self.startTicks)},
                             {label(labelSince), m_self.since.toString(Qt::ISODateWithMs)},
                             {label(labelToken), m_self.token},
                             {label(labelLock), m_app}};
    // Created, never started: it needs an image (the release's, which the target has by now)
    // and a command the image may lack, which is never run.
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/create?name=") + lockName(m_app);
    request.body =
        QJsonDocument(QJsonObject{{QStringLiteral("Image"), m_image},
                                  {QStringLiteral("Entrypoint"), QJsonArray{QStringLiteral("/slipway-lock")}},
                                  {QStringLiteral("Cmd"), QJsonArray{}},
                                  {QStringLiteral("Labels"), labels},
                                  {QStringLiteral("HostConfig"),
                                   QJsonObject{{QStringLiteral("NetworkMode"), QStringLiteral("none")}}}})
            .toJson(QJsonDocument::Compact);
    const QString what = QStringLiteral("create the deploy lock %1").arg(lockName(m_app));
    auto reply = m_client.connection().expect(request, what, {200, 201, 409, 500});
    if (!reply) {
        *error = reply.error();
        return Attempt::Failed;
    }
    // 409 on both engines; a Podman that says 500 "already in use" means the same.
    if (reply->status == 409 || (reply->status == 500 && reply->body.contains("already in use")))
        return Attempt::Held;
    if (reply->status == 500) {
        *error = Error::failed(QStringLiteral("%1: %2: HTTP 500: %3")
                                   .arg(m_client.where(), what,
                                        QJsonDocument::fromJson(reply->body)
                                            .object()
                                            .value(QStringLiteral("message"))
                                            .toString()
                                            .simplified()
                                            .left(200)));
        return Attempt::Failed;
    }
    m_lockId = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("Id")).toString();
    if (m_lockId.isEmpty())
        m_lockId = lockName(m_app);
    const std::lock_guard lock(liveMutex);
    liveTokens.insert(m_self.token);
    return Attempt::Taken;
}

Result<std::pair<QString, LockHolder>> DeployLock::current()
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/json").arg(lockName(m_app));
    auto reply = m_client.connection().expect(
        request, QStringLiteral("inspect the deploy lock %1").arg(lockName(m_app)), {200, 404});
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return std::pair<QString, LockHolder>{};
    const QJsonObject container = QJsonDocument::fromJson(reply->body).object();
    const QJsonObject labels =
        container.value(QStringLiteral("Config")).toObject().value(QStringLiteral("Labels")).toObject();
    LockHolder holder;
    holder.machine = labels.value(label(labelMachine)).toString();
    holder.host = labels.value(label(labelHost)).toString();
    holder.pid = labels.value(label(labelPid)).toString().toLongLong();
    holder.startTicks = labels.value(label(labelStart)).toString().toLongLong();
    holder.since = QDateTime::fromString(labels.value(label(labelSince)).toString(), Qt::ISODateWithMs);
    holder.token = labels.value(label(labelToken)).toString();
    QString id = container.value(QStringLiteral("Id")).toString();
    if (id.isEmpty())
        id = lockName(m_app);
    return std::pair{id, holder};
}

Status DeployLock::remove(EngineClient &client, const QString &id, const QString &what)
{
    EngineConnection::Request request;
    request.method = "DELETE";
    request.path = QStringLiteral("/containers/%1?force=1").arg(id);
    auto removed = client.connection().expect(request, what, {200, 204, 404});
    if (!removed)
        return removed.error();
    return success();
}

Status DeployLock::acquire(bool wait, std::stop_token stop, const std::function<void(const QString &)> &say)
{
    if (isHeld())
        return success();
    bool announced = false;
    int takeovers = 0;
    for (;;) {
        Error error = Error::failed({});
        switch (tryCreate(&error)) {
        case Attempt::Taken:
            return success();
        case Attempt::Failed:
            return error;
        case Attempt::Held:
            break;
        }
        auto held = current();
        if (!held)
            return held.error();
        const auto &[id, holder] = held.value();
        if (id.isEmpty())
            continue; // released in between
        if (isStale(holder, m_self)) {
            // By its id: if another deploy took it over meanwhile, that new hold stays.
            if (say)
                say(QStringLiteral("taking over the deploy lock of %1 from %2, which is gone")
                        .arg(m_app, holder.describe()));
            if (++takeovers > 3)
                return Error::failed(QStringLiteral("%1: cannot take over the deploy lock %2 from %3")
                                         .arg(m_client.where(), lockName(m_app), holder.describe()));
            if (Status removed = remove(
                    m_client, id, QStringLiteral("remove the stale deploy lock %1").arg(lockName(m_app)));
                !removed)
                return removed;
            continue;
        }
        if (!wait)
            return Error::failed(
                QStringLiteral("%1: %2 is being deployed by %3; run again when that is done, or "
                               "without --no-wait to wait for it")
                    .arg(m_client.where(), m_app, holder.describe()));
        if (!announced && say)
            say(QStringLiteral(
                    "waiting: %1 is being deployed by %2 (if that deploy is gone, remove the "
                    "container %3 on the target; a hold from another machine lapses after an hour)")
                    .arg(m_app, holder.describe(), lockName(m_app)));
        announced = true;
        if (!sleepUnlessStopped(std::chrono::milliseconds(500), stop))
            return Error::cancelled(QStringLiteral("%1: cancelled while waiting for the deploy lock of %2")
                                        .arg(m_client.where(), m_app));
    }
}

void DeployLock::release()
{
    if (!isHeld())
        return;
    const QString what = QStringLiteral("release the deploy lock %1").arg(lockName(m_app));
    Status removed = remove(m_client, m_lockId, what);
    // A cancelled deploy still lets go, through a client that is not cancelled.
    if (!removed && removed.error().kind == Error::Kind::Cancelled) {
        EngineClient cleanup(m_client.target());
        removed = cleanup.connect();
        if (removed)
            removed = remove(cleanup, m_lockId, what);
    }
    if (!removed)
        qCWarning(lcDeploy).noquote() << removed.error().message;
    {
        const std::lock_guard lock(liveMutex);
        liveTokens.remove(m_self.token);
    }
    m_lockId.clear();
}

} // namespace slipway
