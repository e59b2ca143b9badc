#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <functional>
#include <stop_token>

namespace slipway {

class EngineClient;

// Who holds a deploy lock: a Slipway process on some machine.
struct LockHolder
{
    QString machine; // /etc/machine-id (QSysInfo::machineUniqueId)
    QString host;    // the host name, for messages
    qint64 pid = 0;
    qint64 startTicks = 0; // the process's start time since boot (/proc/PID/stat), against pid reuse
    QDateTime since;
    QString token; // this hold's own random id

    // "pid 4242 on build-7 since 2026-12-03 06:30:00 UTC"
    QString describe() const;
    // The calling process, holding from now.
    static LockHolder self();
};

// One app's deploys to one target, one at a time, across processes and machines: while a deploy
// holds it, the engine has a container named `slipway-lock-APP`, created from the release's
// image and never started, whose labels name the holder. Engines make a container name unique
// under their own lock (409 for the second creator), so the engine itself decides who got it.
// (A network would need no image, but Docker checks network names only best-effort: two
// deploys started together both made one.) A hold is stale, and taken over, when its process
// on this machine is gone (or is this process, which no longer holds it: its engine went away
// before the release), or when it is older than staleAfter (a holder on another machine that
// was killed). Released on destruction.
class DeployLock final
{
public:
    // image: one the engine has (the release's), for the lock container.
    DeployLock(EngineClient &client, QString app, QString image);
    ~DeployLock();
    DeployLock(const DeployLock &) = delete;
    DeployLock &operator=(const DeployLock &) = delete;

    // A hold older than this is taken as abandoned: no deploy takes an hour to roll out.
    static constexpr std::chrono::minutes staleAfter{60};
    static QString lockName(const QString &app) { return QStringLiteral("slipway-lock-") + app; }

    // Takes the lock. When another deploy holds it: says so once, then waits until it is
    // released (or goes stale: then says it takes it over), or stop is requested; with wait
    // false, fails at once with one line naming the holder.
    Status acquire(bool wait, std::stop_token stop, const std::function<void(const QString &)> &say);
    // Removes the lock container if it is still ours; nothing when not held.
    void release();
    bool isHeld() const { return !m_lockId.isEmpty(); }

private:
    enum class Attempt
    {
        Taken,
        Held,
        Failed
    };
    Attempt tryCreate(Error *error);
    Result<std::pair<QString, LockHolder>> current(); // the lock container's id and holder; empty id: none
    static Status remove(EngineClient &client, const QString &id, const QString &what);

    EngineClient &m_client;
    QString m_app;
    QString m_image;
    LockHolder m_self;
    QString m_lockId;
};

} // namespace slipway
