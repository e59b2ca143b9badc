#include "savedcredentials.h"

#include "util/logging.h"
#include "util/paths.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSaveFile>
#include <QThread>
#include <QWaitCondition>

#include <qt6keychain/keychain.h>

#include <functional>
#include <memory>

namespace slipway {
namespace {

const QString service = QStringLiteral("slipway");

QString keyFor(const QString &registry)
{
    return QStringLiteral("registry:") + registry;
}

const QString noBusHint =
    QStringLiteral("log in to a desktop session, or run under dbus-run-session with gnome-keyring-daemon "
                   "--unlock --components=secrets (or KeePassXC's Secret Service) running");

QString noKeychain(const QString &cause)
{
    return QStringLiteral("no system keychain (Secret Service over D-Bus) is available: %1; %2")
        .arg(cause, noBusHint);
}

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

std::function<QKeychain::Job *()> deleteJob(const QString &registry)
{
    return [key = keyFor(registry)] {
        auto *job = new QKeychain::DeletePasswordJob(service);
        job->setKey(key);
        return job;
    };
}

// The one-line error for a job that failed or did not finish. QtKeychain's messages name the
// service and key at most, never the secret.
Error jobError(const JobOutcome &outcome, const QString &action, const QString &registry,
               std::chrono::milliseconds timeout, const std::stop_token &stop)
{
    if (!outcome.finished && stop.stop_requested())
        return Error::cancelled(
            QStringLiteral("%1 the login for registry %2 was cancelled").arg(action, registry));
    if (!outcome.finished)
        return Error::failed(
            QStringLiteral("the system keychain did not answer within %1 s %2 the login for registry %3 "
                           "(is it locked, waiting for a password?)")
                .arg(static_cast<double>(timeout.count()) / 1000.0)
                .arg(action.toLower(), registry));
    QString message = outcome.errorString;
    message.replace(u'\n', u' ');
    if (outcome.error == QKeychain::NoBackendAvailable)
        return Error::failed(noKeychain(message.trimmed()));
    return Error::failed(QStringLiteral("%1 the login for registry %2 in the system keychain failed: %3")
                             .arg(action, registry, message.trimmed()));
}

Result<QStringList> readIndex(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return QStringList{};
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error::badInput(
            QStringLiteral("%1 is not valid: expected {\"registries\": [...]}; remove it and log in again")
                .arg(path));
    QStringList registries;
    for (const QJsonValue &value : document.object().value(QStringLiteral("registries")).toArray()) {
        if (value.isString() && !value.toString().isEmpty())
            registries += value.toString();
    }
    registries.removeDuplicates();
    registries.sort();
    return registries;
}

QByteArray encode(const Credential &credential)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("username"), credential.username},
                                     {QStringLiteral("secret"), credential.secret},
                                     {QStringLiteral("identityToken"), credential.isIdentityToken}})
        .toJson(QJsonDocument::Compact);
}

std::optional<Credential> decode(const QByteArray &data)
{
    const QJsonDocument document = QJsonDocument::fromJson(data);
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    Credential credential;
    credential.username = object.value(QStringLiteral("username")).toString();
    credential.secret = object.value(QStringLiteral("secret")).toString();
    credential.isIdentityToken = object.value(QStringLiteral("identityToken")).toBool();
    if (credential.secret.isEmpty())
        return std::nullopt;
    return credential;
}

} // namespace

SavedCredentials::SavedCredentials(QString indexFile)
    : m_indexFile(std::move(indexFile))
{}

SavedCredentials SavedCredentials::forDataDir(const QString &dataDirOption)
{
    return SavedCredentials(DataDirs::resolve(dataDirOption).config + QStringLiteral("/logins.json"));
}

bool SavedCredentials::hasSessionBus()
{
    // Where libdbus and GLib look, minus X11 autolaunch: that starts a bus of its own (no keychain
    // on it) or fails slowly, which a push must never wait for.
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !runtime.isEmpty() && QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

Result<QStringList> SavedCredentials::registries() const
{
    return readIndex(m_indexFile);
}

Status SavedCredentials::writeIndex(const QStringList &registries) const
{
    QDir().mkpath(QFileInfo(m_indexFile).path());
    QSaveFile file(m_indexFile);
    const QByteArray bytes =
        QJsonDocument(QJsonObject{{QStringLiteral("registries"), QJsonArray::fromStringList(registries)}})
            .toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(m_indexFile, file.errorString()));
    return success();
}

Status SavedCredentials::save(const QString &registry, const Credential &credential, std::stop_token stop)
{
    if (registry.isEmpty())
        return Error::badInput(QStringLiteral("a registry (host[:port]) is needed to save a login"));
    if (credential.secret.isEmpty())
        return Error::badInput(QStringLiteral("the password for registry %1 is empty").arg(registry));
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!hasSessionBus())
        return Error::failed(noKeychain(
            QStringLiteral("there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set)")));

    const JobOutcome written = runJob(
        [key = keyFor(registry), data = encode(credential)] {
            auto *job = new QKeychain::WritePasswordJob(service);
            job->setKey(key);
            job->setBinaryData(data);
            return job;
        },
        m_timeout, stop);
    if (!written.finished || written.error != QKeychain::NoError)
        return jobError(written, QStringLiteral("Saving"), registry, m_timeout, stop);

    QStringList registries = index.value();
    if (!registries.contains(registry)) {
        registries += registry;
        registries.sort();
        if (Status indexed = writeIndex(registries); !indexed) {
            // Not listed means never looked up: take the secret back out rather than leave it orphaned.
            runJob(deleteJob(registry), m_timeout, {});
            return indexed;
        }
    }
    qCDebug(lcRegistry) << "saved a login for" << registry << "in the system keychain";
    return success();
}

Status SavedCredentials::remove(const QString &registry, std::stop_token stop)
{
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!index->contains(registry))
        return Error::badInput(QStringLiteral("there is no saved login for registry %1").arg(registry));
    if (!hasSessionBus())
        return Error::failed(noKeychain(
            QStringLiteral("there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set)")));

    const JobOutcome deleted = runJob(deleteJob(registry), m_timeout, stop);
    // Already gone from the keychain (removed by hand): the index is all that is left to fix.
    if (!deleted.finished ||
        (deleted.error != QKeychain::NoError && deleted.error != QKeychain::EntryNotFound))
        return jobError(deleted, QStringLiteral("Removing"), registry, m_timeout, stop);
    QStringList registries = index.value();
    registries.removeAll(registry);
    if (Status indexed = writeIndex(registries); !indexed)
        return indexed;
    qCDebug(lcRegistry) << "removed the saved login for" << registry;
    return success();
}

Result<std::optional<Credential>> SavedCredentials::find(const QString &registry, std::stop_token stop) const
{
    using Found = std::optional<Credential>;
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!index->contains(registry))
        return Found{};
    if (!hasSessionBus()) {
        qCDebug(lcRegistry) << "no D-Bus session bus: the saved login for" << registry << "is not looked up";
        return Found{};
    }

    const JobOutcome read = runJob(
        [key = keyFor(registry)] {
            auto *job = new QKeychain::ReadPasswordJob(service);
            job->setKey(key);
            return job;
        },
        m_timeout, stop);
    if (read.finished && read.error == QKeychain::EntryNotFound) {
        qCDebug(lcRegistry) << "the system keychain has no saved login for" << registry;
        return Found{};
    }
    if (read.finished && read.error == QKeychain::NoBackendAvailable) {
        qCDebug(lcRegistry) << "no Secret Service on the session bus: the saved login for" << registry
                            << "is not looked up";
        return Found{};
    }
    if (!read.finished || read.error != QKeychain::NoError)
        return jobError(read, QStringLiteral("Reading"), registry, m_timeout, stop);
    std::optional<Credential> credential = decode(read.data);
    if (!credential)
        return Error::badInput(
            QStringLiteral(
                "the saved login for registry %1 in the system keychain is not valid; log in again")
                .arg(registry));
    qCDebug(lcRegistry) << "credentials for" << registry << "from the system keychain";
    return Found{std::move(credential)};
}

} // namespace slipway
