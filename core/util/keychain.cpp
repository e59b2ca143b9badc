#include "util/keychain.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutex>
#include <QSaveFile>
#include <QThread>
#include <QWaitCondition>

#include <qt6keychain/keychain.h>

#include <functional>
#include <memory>

namespace slipway::keychain {
namespace {

const QString service = QStringLiteral("slipway");

struct JobOutcome
{
    bool finished = false;
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QByteArray data;
};

// Every QtKeychain job runs on this one thread, which always runs its event loop. QtKeychain
// queues jobs in an object of its own that lives in the thread that first used it and hears
// of finished jobs through queued signals: used from several threads (a build's worker, then
// the CLI's main thread), the queue would wait for a thread that runs no event loop. The
// thread ends with the application.
QObject *keychainContext()
{
    static QObject *context = [] {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("slipway-keychain"));
        auto *object = new QObject;
        object->moveToThread(thread);
        QObject::connect(thread, &QThread::finished, object, &QObject::deleteLater);
        thread->start();
        static QThread *running = thread;
        qAddPostRoutine([] {
            running->quit();
            running->wait();
            delete running;
        });
        return object;
    }();
    return context;
}

// Runs the job makeJob creates on the keychain thread and waits for it, the timeout or the stop
// token. A job that does not finish is left to delete itself (autoDelete) whenever its reply
// comes: deleting it early would free what the D-Bus callback still points at.
JobOutcome runJob(std::function<QKeychain::Job *()> makeJob, std::chrono::milliseconds timeout,
                  const std::stop_token &stop)
{
    struct Shared
    {
        QMutex mutex;
        QWaitCondition finished;
        JobOutcome outcome;
    };
    auto shared = std::make_shared<Shared>();
    QMetaObject::invokeMethod(keychainContext(), [shared, makeJob = std::move(makeJob)] {
        QKeychain::Job *job = makeJob();
        QObject::connect(job, &QKeychain::Job::finished, job, [shared](QKeychain::Job *done) {
            QMutexLocker lock(&shared->mutex);
            shared->outcome.finished = true;
            shared->outcome.error = done->error();
            shared->outcome.errorString = done->errorString();
            if (const auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(done))
                shared->outcome.data = read->binaryData();
            shared->finished.wakeAll();
        });
        job->setAutoDelete(true);
        job->setInsecureFallback(false); // never a plaintext file
        job->start();
    });
    QDeadlineTimer deadline(timeout);
    QMutexLocker lock(&shared->mutex);
    while (!shared->outcome.finished && !deadline.hasExpired() && !stop.stop_requested())
        shared->finished.wait(&shared->mutex, QDeadlineTimer(std::min<qint64>(50, deadline.remainingTime())));
    return shared->outcome;
}

// The one-line error for a job that failed or did not finish. QtKeychain's messages name the
// service and key at most, never the data.
Error jobError(const JobOutcome &outcome, const QString &action, const QString &what,
               std::chrono::milliseconds timeout, const std::stop_token &stop)
{
    if (!outcome.finished && stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1 %2 was cancelled").arg(action, what));
    if (!outcome.finished)
        return Error::failed(QStringLiteral("the system keychain did not answer within %1 s %2 %3 "
                                            "(is it locked, waiting for a password?)")
                                 .arg(static_cast<double>(timeout.count()) / 1000.0)
                                 .arg(action.toLower(), what));
    QString message = outcome.errorString;
    message.replace(u'\n', u' ');
    if (outcome.error == QKeychain::NoBackendAvailable)
        return Error::failed(noKeychainMessage(message.trimmed()));
    return Error::failed(
        QStringLiteral("%1 %2 in the system keychain failed: %3").arg(action, what, message.trimmed()));
}

} // namespace

bool hasSessionBus()
{
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !runtime.isEmpty() && QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

QString noKeychainMessage(const QString &cause)
{
    return QStringLiteral("no system keychain (Secret Service over D-Bus) is available: %1; log in to a "
                          "desktop session, or run under dbus-run-session with gnome-keyring-daemon "
                          "--unlock --components=secrets (or KeePassXC's Secret Service) running")
        .arg(cause);
}

Error noSessionBus()
{
    return Error::failed(noKeychainMessage(
        QStringLiteral("there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set)")));
}

Status write(const QString &key, const QByteArray &data, const QString &what,
             std::chrono::milliseconds timeout, std::stop_token stop)
{
    if (!hasSessionBus())
        return noSessionBus();
    const JobOutcome written = runJob(
        [key, data] {
            auto *job = new QKeychain::WritePasswordJob(service);
            job->setKey(key);
            job->setBinaryData(data);
            return job;
        },
        timeout, stop);
    if (!written.finished || written.error != QKeychain::NoError)
        return jobError(written, QStringLiteral("Saving"), what, timeout, stop);
    return success();
}

Result<ReadOutcome> read(const QString &key, const QString &what, std::chrono::milliseconds timeout,
                         std::stop_token stop)
{
    if (!hasSessionBus())
        return ReadOutcome{.data = std::nullopt, .noBackend = true};
    const JobOutcome read = runJob(
        [key] {
            auto *job = new QKeychain::ReadPasswordJob(service);
            job->setKey(key);
            return job;
        },
        timeout, stop);
    if (read.finished && read.error == QKeychain::EntryNotFound)
        return ReadOutcome{};
    if (read.finished && read.error == QKeychain::NoBackendAvailable)
        return ReadOutcome{.data = std::nullopt, .noBackend = true};
    if (!read.finished || read.error != QKeychain::NoError)
        return jobError(read, QStringLiteral("Reading"), what, timeout, stop);
    return ReadOutcome{.data = read.data, .noBackend = false};
}

Status remove(const QString &key, const QString &what, std::chrono::milliseconds timeout,
              std::stop_token stop)
{
    if (!hasSessionBus())
        return noSessionBus();
    const JobOutcome deleted = runJob(
        [key] {
            auto *job = new QKeychain::DeletePasswordJob(service);
            job->setKey(key);
            return job;
        },
        timeout, stop);
    if (!deleted.finished ||
        (deleted.error != QKeychain::NoError && deleted.error != QKeychain::EntryNotFound))
        return jobError(deleted, QStringLiteral("Removing"), what, timeout, stop);
    return success();
}

Result<QJsonObject> readIndexFile(const QString &path, const QString &expected)
{
    QFile file(path);
    if (!file.exists())
        return QJsonObject{};
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error::badInput(QStringLiteral("%1 is not valid: expected %2").arg(path, expected));
    return document.object();
}

Status writeIndexFile(const QString &path, const QJsonObject &index)
{
    QDir().mkpath(QFileInfo(path).path());
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(index).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return success();
}

} // namespace slipway::keychain
