// DirectorySource: a plain directory walked as it is, with .dockerignore, symlinks kept as
// symlinks, sha256 ids and a stat cache that spares unchanged files a second hashing.

#include "gittestutil.h"

#include "events/event.h"
#include "source/directorysource.h"
#include "source/opensource.h"
#include "util/sha256.h"

#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace slipway;
using namespace slipway::test;

namespace {

const SourceFile *findFile(const Source &source, const QString &path)
{
    for (const SourceFile &file : source.files()) {
        if (file.path == path)
            return &file;
    }
    return nullptr;
}

QStringList pathsOf(const Source &source)
{
    QStringList paths;
    for (const SourceFile &file : source.files())
        paths.append(file.path);
    return paths;
}

// Sets a file's mtime an hour back, out of the stat cache's racy window.
bool age(const QString &path, qint64 secondsAgo = 3600)
{
    const timespec times[2] = {{0, UTIME_OMIT}, {std::time(nullptr) - secondsAgo, 0}};
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, AT_SYMLINK_NOFOLLOW) == 0;
}

} // namespace

class TestDirectorySource final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString newDir()
    {
        const QString dir = m_dir.filePath(QStringLiteral("ctx%1").arg(++m_counter));
        QDir().mkpath(dir);
        return dir;
    }
    QString cacheDir() const { return m_dir.filePath(QStringLiteral("cache")); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void filesKindsAndIds()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/app/server"), "#!/bin/sh\n"));
        QVERIFY(makeExecutable(dir + QStringLiteral("/app/server")));
        QVERIFY(writeFile(dir + QStringLiteral("/app/config.json"), "{}\n"));
        QVERIFY(writeFile(dir + QStringLiteral("/empty"), QByteArray()));
        QVERIFY(writeFile(dir + QString::fromUtf8("/\xf0\x9f\x98\x80"), "emoji"));
        QVERIFY(writeFile(dir + QString::fromUtf8("/\xef\xbf\xbd"), "replacement"));
        QVERIFY(QFile::link(QStringLiteral("app/server"), dir + QStringLiteral("/start")));
        QVERIFY(QFile::link(QStringLiteral("/nowhere/at/all"), dir + QStringLiteral("/dangling")));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/empty-dir")));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/real")));
        QVERIFY(QFile::link(dir + QStringLiteral("/real"), dir + QStringLiteral("/dir-link")));
        QVERIFY(age(dir + QStringLiteral("/app/config.json"), 7200));
        QVERIFY(age(dir + QStringLiteral("/app/server"), 3600));

        auto source = DirectorySource::open(dir, dir, {});
        VERIFY_OK(source);
        const DirectorySource &s = **source;
        QCOMPARE(pathsOf(s),
                 (QStringList{QStringLiteral("app/config.json"), QStringLiteral("app/server"),
                              QStringLiteral("dangling"), QStringLiteral("dir-link"), QStringLiteral("empty"),
                              QStringLiteral("start"), QString::fromUtf8("\xef\xbf\xbd"),
                              QString::fromUtf8("\xf0\x9f\x98\x80")}));
        QCOMPARE(findFile(s, QStringLiteral("app/server"))->kind, SourceFile::Kind::Executable);
        QCOMPARE(findFile(s, QStringLiteral("app/config.json"))->kind, SourceFile::Kind::Regular);
        QCOMPARE(findFile(s, QStringLiteral("app/config.json"))->id, Sha256::hexOf("{}\n").toLatin1());
        QCOMPARE(findFile(s, QStringLiteral("app/config.json"))->size, qint64(3));
        const SourceFile *start = findFile(s, QStringLiteral("start"));
        QCOMPARE(start->kind, SourceFile::Kind::Symlink);
        QCOMPARE(start->linkTarget, QStringLiteral("app/server"));
        QCOMPARE(start->size, qint64(10));
        QCOMPARE(findFile(s, QStringLiteral("dangling"))->linkTarget, QStringLiteral("/nowhere/at/all"));
        QCOMPARE(findFile(s, QStringLiteral("dir-link"))->kind, SourceFile::Kind::Symlink);
        QCOMPARE(s.revision(), QString());
        QCOMPARE(s.summary(), QString());
        QCOMPARE(s.describe(), dir);
        // The newest mtime of all entries: the symlinks and files made just now.
        QVERIFY(qAbs(s.timestamp() - qint64(std::time(nullptr))) < 600);
    }

    void timestampIsNewestMtime()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/a"), "a"));
        QVERIFY(writeFile(dir + QStringLiteral("/b/c"), "c"));
        const timespec older[2] = {{0, UTIME_OMIT}, {1600000000, 0}};
        const timespec newer[2] = {{0, UTIME_OMIT}, {1650000000, 5}};
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(dir + QStringLiteral("/a")).constData(), older, 0),
                 0);
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(dir + QStringLiteral("/b/c")).constData(), newer, 0),
                 0);
        auto source = DirectorySource::open(dir, dir, {});
        VERIFY_OK(source);
        QCOMPARE((*source)->timestamp(), qint64(1650000000));
    }

    void dockerignore()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/.dockerignore"), "# build outputs\n"
                                                                  "*.log\n"
                                                                  "node_modules/\n"
                                                                  "/docs\n"
                                                                  "!docs/keep.md\n"
                                                                  "**/*.tmp\n"
                                                                  "secrets\n"
                                                                  "!secrets/public.pem\n"
                                                                  "secrets/public.pem\n"));
        for (const char *name : {"app.js", "debug.log", "sub/debug.log", "node_modules/x/index.js",
                                 "docs/keep.md", "docs/drop.md", "docs/deep/drop.md", "a/b/c.tmp", "c.tmp",
                                 "secrets/key", "secrets/public.pem", ".git/HEAD", "sub/.git/config", ".env"})
            QVERIFY(writeFile(dir + u'/' + QString::fromLatin1(name), "x"));
        auto source = DirectorySource::open(dir, dir, {});
        VERIFY_OK(source);
        QCOMPARE(pathsOf(**source),
                 (QStringList{QStringLiteral(".env"), QStringLiteral("app.js"),
                              QStringLiteral("docs/keep.md"), QStringLiteral("sub/debug.log")}));

        // Configuration left out of the layers can still be read, as Docker reads its Dockerfile.
        QVERIFY(writeFile(dir + QStringLiteral("/slipway.toml"), "[image]\n"));
        QVERIFY(writeFile(dir + QStringLiteral("/.dockerignore"), "slipway.toml\n"));
        auto ignored = DirectorySource::open(dir, dir, {});
        VERIFY_OK(ignored);
        QVERIFY(!findFile(**ignored, QStringLiteral("slipway.toml")));
        Result<QByteArray> toml = (*ignored)->readRootFile(QStringLiteral("slipway.toml"));
        VERIFY_OK(toml);
        QCOMPARE(*toml, QByteArray("[image]\n"));
        QVERIFY(!(*ignored)->readRootFile(QStringLiteral("../x")));
        QVERIFY(!(*ignored)->readRootFile(QStringLiteral("missing.toml")));
    }

    void badDockerignore()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/.dockerignore"), "ok\n[oops\n"));
        auto source = DirectorySource::open(dir, QStringLiteral("ctx"), {});
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
        QVERIFY2(source.error().message.startsWith(QStringLiteral("ctx/.dockerignore line 2: ")),
                 qPrintable(source.error().message));
    }

    void statCacheSparesUnchangedFiles()
    {
        const QString dir = newDir();
        for (int i = 0; i < 5; ++i)
            QVERIFY(writeFile(dir + QStringLiteral("/f%1").arg(i), QByteArray::number(i)));
        for (int i = 0; i < 5; ++i)
            QVERIFY(age(dir + QStringLiteral("/f%1").arg(i)));
        QVERIFY(writeFile(dir + QStringLiteral("/fresh"), "just written"));

        auto first = DirectorySource::open(dir, dir, cacheDir());
        VERIFY_OK(first);
        QCOMPARE((*first)->hashedFileCount(), 6);
        QVERIFY((*first)->statCachePath().startsWith(cacheDir() + QStringLiteral("/dirs/")));
        QVERIFY(QFileInfo::exists((*first)->statCachePath()));

        // Unchanged files come from the cache; the one written just now is racily clean and is
        // hashed again.
        auto second = DirectorySource::open(dir, dir, cacheDir());
        VERIFY_OK(second);
        QCOMPARE((*second)->hashedFileCount(), 1);
        QCOMPARE((*second)->files().size(), 6);
        for (qsizetype i = 0; i < 6; ++i)
            QCOMPARE((*second)->files()[i].id, (*first)->files()[i].id);

        // A changed file (same size, older mtime than before) is hashed again and gets its new id.
        QVERIFY(writeFile(dir + QStringLiteral("/f2"), "9"));
        QVERIFY(age(dir + QStringLiteral("/f2"), 1800));
        auto third = DirectorySource::open(dir, dir, cacheDir());
        VERIFY_OK(third);
        QCOMPARE((*third)->hashedFileCount(), 2);
        QCOMPARE(findFile(**third, QStringLiteral("f2"))->id, Sha256::hexOf("9").toLatin1());

        // Without a cache directory everything is hashed.
        auto uncached = DirectorySource::open(dir, dir, {});
        VERIFY_OK(uncached);
        QCOMPARE((*uncached)->hashedFileCount(), 6);
        QVERIFY((*uncached)->statCachePath().isEmpty());
    }

    void damagedStatCacheIsIgnored()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/a"), "a"));
        QVERIFY(age(dir + QStringLiteral("/a")));
        auto first = DirectorySource::open(dir, dir, cacheDir());
        VERIFY_OK(first);
        QVERIFY(writeFile((*first)->statCachePath(), "not a stat cache at all"));
        auto second = DirectorySource::open(dir, dir, cacheDir());
        VERIFY_OK(second);
        QCOMPARE((*second)->hashedFileCount(), 1);
        QCOMPARE((*second)->files().first().id, Sha256::hexOf("a").toLatin1());
    }

    void invalidUtf8Name()
    {
        const QString dir = newDir();
        const QByteArray name = QFile::encodeName(dir) + "/sub/caf\xe9.txt";
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/sub")));
        const int fd = ::open(name.constData(), O_CREAT | O_WRONLY, 0644);
        QVERIFY(fd >= 0);
        ::close(fd);
        // QDir::removeRecursively cannot spell this name.
        const auto cleanup = qScopeGuard([&name] { ::unlink(name.constData()); });
        auto source = DirectorySource::open(dir, QStringLiteral("ctx"), {});
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
        QCOMPARE(source.error().message,
                 QStringLiteral("ctx: the file name 'sub/caf\\xe9.txt' is not valid UTF-8"));
    }

    void specialFilesAreSkipped()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/a"), "a"));
        QCOMPARE(::mkfifo(QFile::encodeName(dir + QStringLiteral("/pipe")).constData(), 0644), 0);
        EventQueue events;
        auto source = DirectorySource::open(dir, QStringLiteral("ctx"), {}, &events);
        VERIFY_OK(source);
        QCOMPARE(pathsOf(**source), QStringList{QStringLiteral("a")});
        bool warned = false;
        for (const Event &event : events.drain()) {
            if (const auto *log = std::get_if<LogEvent>(&event))
                warned = warned ||
                         (log->level == LogLevel::Warning && log->text.contains(QStringLiteral("'pipe'")));
        }
        QVERIFY(warned);
    }

    void readerStreamsAndNoticesChanges()
    {
        const QString dir = newDir();
        const QByteArray big(2 * 1024 * 1024 + 5, 'q');
        QVERIFY(writeFile(dir + QStringLiteral("/big"), big));
        QVERIFY(writeFile(dir + QStringLiteral("/small"), "small"));
        QVERIFY(writeFile(dir + QStringLiteral("/slipway.toml"), "[image]\n"));
        QVERIFY(QFile::link(QStringLiteral("big"), dir + QStringLiteral("/link")));
        auto source = DirectorySource::open(dir, dir, {});
        VERIFY_OK(source);
        const std::unique_ptr<SourceReader> reader = (*source)->openReader();
        Result<QByteArray> contents = readWholeFile(*reader, *findFile(**source, QStringLiteral("big")));
        VERIFY_OK(contents);
        QCOMPARE(*contents, big);
        contents = readWholeFile(*reader, *findFile(**source, QStringLiteral("link")));
        VERIFY_OK(contents);
        QVERIFY(contents->isEmpty());
        Result<QByteArray> toml = (*source)->readRootFile(QStringLiteral("slipway.toml"));
        VERIFY_OK(toml);
        QCOMPARE(*toml, QByteArray("[image]\n"));
        Result<QByteArray> missing = (*source)->readRootFile(QStringLiteral("other.toml"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().message, QStringLiteral("%1 has no other.toml").arg(dir));

        // Same size, other content: the listed id no longer holds.
        QVERIFY(writeFile(dir + QStringLiteral("/small"), "SMALL"));
        contents = readWholeFile(*reader, *findFile(**source, QStringLiteral("small")));
        QVERIFY(!contents);
        QCOMPARE(contents.error().message,
                 QStringLiteral("%1: 'small' changed while it was read; try again").arg(dir));
        // A file replaced by a symlink is not followed.
        QVERIFY(QFile::remove(dir + QStringLiteral("/small")));
        QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), dir + QStringLiteral("/small")));
        contents = readWholeFile(*reader, *findFile(**source, QStringLiteral("small")));
        QVERIFY(!contents);
        QVERIFY2(contents.error().message.startsWith(QStringLiteral("cannot read %1/small: ").arg(dir)),
                 qPrintable(contents.error().message));
    }

    void cancelled()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/a"), "a"));
        std::stop_source stop;
        stop.request_stop();
        auto source = DirectorySource::open(dir, dir, {}, nullptr, stop.get_token());
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::Cancelled);
    }

    void throughOpenSource()
    {
        const QString dir = newDir();
        QVERIFY(writeFile(dir + QStringLiteral("/a"), "a"));
        SourceOptions options;
        options.location = dir;
        options.cacheDir = cacheDir();
        auto source = openSource(options);
        VERIFY_OK(source);
        QVERIFY(dynamic_cast<DirectorySource *>(source->get()));
        options.ref = QStringLiteral("main");
        source = openSource(options);
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
        QCOMPARE(source.error().message,
                 QStringLiteral("%1 is not a git repository, so --ref main cannot apply").arg(dir));
    }
};

QTEST_GUILESS_MAIN(TestDirectorySource)
#include "tst_directorysource.moc"
