// GitSource against real servers: git:// from `git daemon` and ssh:// from sshd, with the
// mirror reused across fetches and ssh host keys checked against known_hosts.

#include "gittestutil.h"

#include "gitdaemon.h"
#include "sshserver.h"

#include "events/event.h"
#include "source/gitmirror.h"
#include "source/gitsource.h"
#include "source/opensource.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

#include <git2.h>
#include <sys/stat.h>

using namespace slipway;
using namespace slipway::test;

namespace {

bool copyFile(const QString &from, const QString &to, QFileDevice::Permissions permissions)
{
    QFile::remove(to);
    return QFile::copy(from, to) && QFile::setPermissions(to, permissions);
}

// A bare repository with two commits on main and a tag, made through a scratch work tree.
QString makeRepository(const QString &bare, const QString &scratch, int files = 3)
{
    if (!git({}, {QStringLiteral("init"), QStringLiteral("-q"), scratch}).ok())
        return {};
    for (int i = 0; i < files; ++i)
        writeFile(scratch + QStringLiteral("/src/file%1.txt").arg(i),
                  "content " + QByteArray::number(i) + '\n');
    writeFile(scratch + QStringLiteral("/slipway.toml"), "[image]\n");
    if (commitAll(scratch, QStringLiteral("one")).isEmpty())
        return {};
    if (!git(scratch, {QStringLiteral("tag"), QStringLiteral("v1")}).ok())
        return {};
    writeFile(scratch + QStringLiteral("/README"), "readme\n");
    const QString head = commitAll(scratch, QStringLiteral("two"), kCommitTime + 10);
    if (!git({}, {QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"), scratch, bare})
             .ok())
        return {};
    return head;
}

} // namespace

class TestGitRemote final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QByteArray m_home;
    QByteArray m_agent;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // A home directory whose ~/.ssh holds the harness's client key and the given known_hosts.
    QString makeHome(const QString &name, const SshServer &sshd, const QByteArray &knownHosts)
    {
        const QString home = path(name);
        QDir().mkpath(home + QStringLiteral("/.ssh"));
        copyFile(sshd.clientKeyPath(), home + QStringLiteral("/.ssh/id_ed25519"),
                 QFile::ReadOwner | QFile::WriteOwner);
        writeFile(home + QStringLiteral("/.ssh/known_hosts"), knownHosts);
        return home;
    }

    static QByteArray readAll(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        // Never the real ~/.ssh or a running agent: every test sets HOME itself.
        m_home = qgetenv("HOME");
        m_agent = qgetenv("SSH_AUTH_SOCK");
        qunsetenv("SSH_AUTH_SOCK");
        qunsetenv("SLIPWAY_SSH_DIR");
        qputenv("HOME", QFile::encodeName(path(QStringLiteral("nohome"))));
    }

    void cleanupTestCase()
    {
        qputenv("HOME", m_home);
        if (!m_agent.isEmpty())
            qputenv("SSH_AUTH_SOCK", m_agent);
    }

    void gitDaemonCloneThenIncrementalFetch()
    {
        GitDaemon daemon;
        QVERIFY2(daemon.start(), qPrintable(daemon.errorString()));
        const QString bare = daemon.repositoriesPath() + QStringLiteral("/app.git");
        const QString head = makeRepository(bare, path(QStringLiteral("daemon-scratch")));
        QVERIFY(!head.isEmpty());
        const QString url = daemon.url(QStringLiteral("app.git"));
        const QString cache = path(QStringLiteral("cache-daemon"));

        EventQueue events;
        auto source = open(url, {}, cache, &events);
        VERIFY_OK(source);
        QCOMPARE((*source)->revision(), head);
        QCOMPARE((*source)->files().size(), 5);
        QCOMPARE((*source)->describe(), QStringLiteral("%1 at main (%2)").arg(url, head.left(7)));
        Result<QByteArray> toml = (*source)->readRootFile(QStringLiteral("slipway.toml"));
        VERIFY_OK(toml);
        QCOMPARE(*toml, QByteArray("[image]\n"));
        qint64 lastReceived = -1;
        for (const Event &event : events.drain()) {
            if (const auto *fetch = std::get_if<FetchEvent>(&event)) {
                QCOMPARE(fetch->source, url);
                lastReceived = fetch->receivedObjects;
                QVERIFY(fetch->receivedObjects <= fetch->totalObjects);
            }
        }
        QVERIFY(lastReceived > 0); // the last event reports the whole transfer

        const QString mirror = mirrorPath(cache, url);
        struct stat before;
        QCOMPARE(::stat(QFile::encodeName(mirror).constData(), &before), 0);
        QVERIFY(writeFile(mirror + QStringLiteral("/slipway-marker"), "still the same mirror"));

        // A new commit pushed to the daemon's repository.
        const QString work = path(QStringLiteral("daemon-work"));
        QVERIFY(git({}, {QStringLiteral("clone"), QStringLiteral("-q"), bare, work}).ok());
        QVERIFY(writeFile(work + QStringLiteral("/NEW"), "new\n"));
        const QString third = commitAll(work, QStringLiteral("three"), kCommitTime + 20);
        QVERIFY(git(work, {QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("origin"),
                           QStringLiteral("main")})
                    .ok());

        auto again = open(url, {}, cache, &events);
        VERIFY_OK(again);
        QCOMPARE((*again)->revision(), third);
        QCOMPARE((*again)->files().size(), 6);
        struct stat after;
        QCOMPARE(::stat(QFile::encodeName(mirror).constData(), &after), 0);
        QCOMPARE(after.st_ino, before.st_ino);
        QVERIFY(QFileInfo::exists(mirror + QStringLiteral("/slipway-marker")));
        qint64 fetchedObjects = -1;
        bool sawFetching = false;
        for (const Event &event : events.drain()) {
            if (const auto *fetch = std::get_if<FetchEvent>(&event))
                fetchedObjects = fetch->receivedObjects;
            if (const auto *log = std::get_if<LogEvent>(&event)) {
                QVERIFY2(!log->text.startsWith(QStringLiteral("Cloning")), qPrintable(log->text));
                sawFetching = sawFetching || log->text == QStringLiteral("Fetching %1").arg(url);
            }
        }
        QVERIFY(sawFetching);
        // Incremental: the new commit, its tree and blob, not the whole history again.
        QVERIFY2(fetchedObjects > 0 && fetchedObjects <= 3, qPrintable(QString::number(fetchedObjects)));

        // The tag came along, and old commits stay readable.
        auto tagged = open(url, QStringLiteral("v1"), cache);
        VERIFY_OK(tagged);
        QCOMPARE((*tagged)->files().size(), 4);

        // A missing repository on a live server.
        auto missing = open(daemon.url(QStringLiteral("missing.git")), {}, cache);
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.startsWith(
                     QStringLiteral("cannot fetch %1: ").arg(daemon.url(QStringLiteral("missing.git")))),
                 qPrintable(missing.error().message));
    }

    void closedPortIsUnreachable()
    {
        GitDaemon daemon;
        QVERIFY2(daemon.start(), qPrintable(daemon.errorString()));
        const QString url = daemon.url(QStringLiteral("app.git"));
        daemon.stop(); // nothing listens on its port any more
        auto source = open(url, {}, path(QStringLiteral("cache-closed")));
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::Failed);
        QVERIFY2(source.error().message.startsWith(QStringLiteral("cannot fetch %1: ").arg(url)),
                 qPrintable(source.error().message));
        QVERIFY(!source.error().message.contains(u'\n'));
        // Nothing is left in the cache: no mirror, no temporary clone, no lock.
        const QString cache = path(QStringLiteral("cache-closed"));
        const QStringList left = QDir(cache + QStringLiteral("/git"))
                                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));
    }

    void cancelWhileCloningOverGit()
    {
        GitDaemon daemon;
        QVERIFY2(daemon.start(), qPrintable(daemon.errorString()));
        const QString bare = daemon.repositoriesPath() + QStringLiteral("/big.git");
        QVERIFY(!makeRepository(bare, path(QStringLiteral("big-scratch")), 500).isEmpty());
        const QString url = daemon.url(QStringLiteral("big.git"));
        const QString cache = path(QStringLiteral("cache-cancel"));
        EventRecorder events;
        std::stop_source stop;
        stopOnFirstFetch(events, stop);
        auto source = open(url, {}, cache, &events, stop.get_token());
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::Cancelled);
        QCOMPARE(events.eventsOf<FetchEvent>().size(), 1);
        const QStringList left = QDir(cache + QStringLiteral("/git"))
                                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));
    }

    void sshCloneWithKnownHostKey()
    {
        // Debian's libgit2 has ssh; a build without it must fail here, not pass quietly.
        QVERIFY2(git_libgit2_features() & GIT_FEATURE_SSH, "libgit2 is built without ssh support");
        SshServer sshd;
        QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
        const QString bare = path(QStringLiteral("ssh-repo.git"));
        const QString head = makeRepository(bare, path(QStringLiteral("ssh-scratch")));
        QVERIFY(!head.isEmpty());
        const QString home = makeHome(QStringLiteral("home-known"), sshd, readAll(sshd.knownHostsPath()));
        qputenv("HOME", QFile::encodeName(home));

        const QString url = sshd.url() + bare;
        const QString cache = path(QStringLiteral("cache-ssh"));
        auto source = open(url, {}, cache);
        VERIFY_OK(source);
        QCOMPARE((*source)->revision(), head);
        QCOMPARE((*source)->files().size(), 5);

        // The next fetch reuses the mirror over ssh as well.
        auto again = open(url, {}, cache);
        VERIFY_OK(again);
        QCOMPARE((*again)->revision(), head);

        // scp-like syntax reaches the same server through its ~/.ssh (port 22 is not ours, so
        // only check that the URL is taken as a URL and fails to connect, not as a path).
        QVERIFY(isGitUrl(sshd.user() + QStringLiteral("@127.0.0.1:") + bare));
    }

    void sshRefusesUnknownHostKey()
    {
        // Debian's libgit2 has ssh; a build without it must fail here, not pass quietly.
        QVERIFY2(git_libgit2_features() & GIT_FEATURE_SSH, "libgit2 is built without ssh support");
        SshServer sshd;
        QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
        const QString bare = path(QStringLiteral("ssh-unknown.git"));
        QVERIFY(!makeRepository(bare, path(QStringLiteral("ssh-unknown-scratch"))).isEmpty());
        const QString url = sshd.url() + bare;
        const QString cache = path(QStringLiteral("cache-ssh-unknown"));

        const QString home = makeHome(QStringLiteral("home-unknown"), sshd, "# nobody yet\n");
        qputenv("HOME", QFile::encodeName(home));
        auto source = open(url, {}, cache);
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::Failed);
        QCOMPARE(source.error().message,
                 QStringLiteral("cannot fetch %1: the ssh host key of [127.0.0.1]:%2 (ssh-ed25519) is not in "
                                "%3/.ssh/known_hosts; connect once with ssh to check and record it")
                     .arg(url)
                     .arg(sshd.port())
                     .arg(home));
        QVERIFY(!QFileInfo::exists(mirrorPath(cache, url)));

        // Another key on record for this host and port: refused as changed.
        const QByteArray line = readAll(sshd.knownHostsPath()).trimmed();
        QList<QByteArray> fields = line.split(' ');
        QByteArray blob = QByteArray::fromBase64(fields[2]);
        blob[blob.size() - 1] = char(blob.at(blob.size() - 1) ^ 0x55);
        fields[2] = blob.toBase64();
        const QString changedHome = makeHome(QStringLiteral("home-changed"), sshd, fields.join(' ') + '\n');
        qputenv("HOME", QFile::encodeName(changedHome));
        source = open(url, {}, cache);
        QVERIFY(!source);
        QVERIFY2(source.error().message.contains(QStringLiteral("differs from the one in")),
                 qPrintable(source.error().message));

        // SLIPWAY_SSH_DIR overrides ~/.ssh: the trusted files are found there.
        const QString trusted =
            makeHome(QStringLiteral("home-override"), sshd, readAll(sshd.knownHostsPath()));
        qputenv("SLIPWAY_SSH_DIR", QFile::encodeName(trusted + QStringLiteral("/.ssh")));
        source = open(url, {}, cache);
        qunsetenv("SLIPWAY_SSH_DIR");
        VERIFY_OK(source);
    }

    void sshWithoutAUsableKey()
    {
        // Debian's libgit2 has ssh; a build without it must fail here, not pass quietly.
        QVERIFY2(git_libgit2_features() & GIT_FEATURE_SSH, "libgit2 is built without ssh support");
        SshServer sshd;
        QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));
        const QString bare = path(QStringLiteral("ssh-nokey.git"));
        QVERIFY(!makeRepository(bare, path(QStringLiteral("ssh-nokey-scratch"))).isEmpty());
        const QString home = makeHome(QStringLiteral("home-nokey"), sshd, readAll(sshd.knownHostsPath()));
        QVERIFY(QFile::remove(home + QStringLiteral("/.ssh/id_ed25519")));
        qputenv("HOME", QFile::encodeName(home));
        const QString url = sshd.url() + bare;
        auto source = open(url, {}, path(QStringLiteral("cache-ssh-nokey")));
        QVERIFY(!source);
        QCOMPARE(source.error().message,
                 QStringLiteral(
                     "cannot fetch %1: ssh authentication as %2 failed (no ssh-agent (SSH_AUTH_SOCK) and "
                     "no key in %3/.ssh; keys with a passphrase need ssh-agent)")
                     .arg(url, sshd.user(), home));
    }
};

QTEST_GUILESS_MAIN(TestGitRemote)
#include "tst_gitremote.moc"
