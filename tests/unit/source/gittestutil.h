#pragma once

// Builds git repositories for the source tests with the real git CLI, isolated from the user's
// configuration, with fixed identities and dates.

#include "eventrecorder.h"
#include "events/event.h"
#include "source/opensource.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <atomic>
#include <stop_token>

namespace slipway::test {

// Commits get this date unless a test sets another: 2023-11-14 22:13:20 UTC.
inline constexpr qint64 kCommitTime = 1700000000;

struct GitRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
    QString text() const { return QString::fromUtf8(out).trimmed(); }
    QString message() const { return QString::fromUtf8(out + err); }
};

inline GitRun git(const QString &dir, const QStringList &arguments, const QByteArray &input = {},
                  qint64 time = kCommitTime)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString date = QStringLiteral("@%1 +0000").arg(time);
    env.insert(QStringLiteral("GIT_AUTHOR_DATE"), date);
    env.insert(QStringLiteral("GIT_COMMITTER_DATE"), date);
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    env.insert(QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0"));
    process.setProcessEnvironment(env);
    if (!dir.isEmpty())
        process.setWorkingDirectory(dir);
    const QStringList identity{QStringLiteral("-c"), QStringLiteral("user.name=Slipway Test"),
                               QStringLiteral("-c"), QStringLiteral("user.email=test@example.com"),
                               QStringLiteral("-c"), QStringLiteral("init.defaultBranch=main"),
                               QStringLiteral("-c"), QStringLiteral("protocol.file.allow=always")};
    process.start(QStringLiteral("git"), identity + arguments);
    GitRun run;
    if (!process.waitForStarted(30000))
        return run;
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(120000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

inline bool writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(contents) == contents.size();
}

inline bool makeExecutable(const QString &path)
{
    return QFile::setPermissions(path, QFile::permissions(path) | QFile::ExeOwner | QFile::ExeGroup |
                                           QFile::ExeOther);
}

// Adds everything and commits; returns the new commit id, empty on failure.
inline QString commitAll(const QString &dir, const QString &message, qint64 time = kCommitTime)
{
    if (!git(dir, {QStringLiteral("add"), QStringLiteral("-A")}).ok())
        return {};
    const GitRun commit = git(dir,
                              {QStringLiteral("commit"), QStringLiteral("-q"),
                               QStringLiteral("--allow-empty"), QStringLiteral("-m"), message},
                              {}, time);
    if (!commit.ok())
        return {};
    return git(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).text();
}

// Records every event and stops `stop` the first time a FetchEvent comes.
inline void stopOnFirstFetch(EventRecorder &events, std::stop_source &stop)
{
    events.onEvent = [&stop](const Event &event) {
        if (std::holds_alternative<FetchEvent>(event))
            stop.request_stop();
    };
}

// Opens a source the way the build does, with the options tests vary.
inline Result<std::unique_ptr<Source>> open(const QString &location, const QString &ref = {},
                                            const QString &cacheDir = {}, EventSink *events = nullptr,
                                            std::stop_token stop = {})
{
    SourceOptions options;
    options.location = location;
    options.ref = ref;
    options.cacheDir = cacheDir;
    options.events = events;
    options.stop = std::move(stop);
    return openSource(options);
}

} // namespace slipway::test

// QVERIFY2 evaluates its message even when the check passes, so the error is only taken when
// there is one.
#define VERIFY_OK(result) QVERIFY2((result), (result) ? "" : qPrintable((result).error().message))
