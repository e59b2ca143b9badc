// The build engine end to end on real git repositories: layers equal the tree, builds are
// reproducible across thread counts and data directories, and the cache skips unchanged layers.

#include "eventrecorder.h"
#include "events/event.h"
#include "gitrepo.h"
#include "imagebuilder/imagebuilder.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <archive.h>
#include <archive_entry.h>

using namespace slipway;
using slipway::test::EventRecorder;
using slipway::test::GitRepo;

namespace {

struct TarEntry
{
    char type = 0; // 'd', 'f', 'l'
    int mode = 0;
    QByteArray contents;
    QByteArray linkTarget;
    qint64 mtime = 0;
    qint64 uid = -1;
    qint64 gid = -1;

    bool operator==(const TarEntry &other) const = default;
};

using Tree = QMap<QByteArray, TarEntry>;

// Reads a (compressed) layer blob back with libarchive.
Tree readLayer(const QString &path, QString *error)
{
    Tree tree;
    archive *reader = archive_read_new();
    archive_read_support_filter_all(reader);
    archive_read_support_format_tar(reader);
    if (archive_read_open_filename(reader, QFile::encodeName(path).constData(), 1 << 16) != ARCHIVE_OK) {
        *error = QString::fromUtf8(archive_error_string(reader));
        archive_read_free(reader);
        return tree;
    }
    archive_entry *entry = nullptr;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        TarEntry item;
        const mode_t type = archive_entry_filetype(entry);
        item.type = type == AE_IFDIR ? 'd' : type == AE_IFLNK ? 'l' : type == AE_IFREG ? 'f' : '?';
        item.mode = int(archive_entry_perm(entry));
        item.mtime = archive_entry_mtime(entry);
        item.uid = archive_entry_uid(entry);
        item.gid = archive_entry_gid(entry);
        if (item.type == 'l')
            item.linkTarget = archive_entry_symlink_utf8(entry);
        char buffer[65536];
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0)
            item.contents.append(buffer, n);
        tree.insert(QByteArray(archive_entry_pathname_utf8(entry)), item);
    }
    archive_read_free(reader);
    return tree;
}

QByteArray decompressed(const QString &path)
{
    archive *reader = archive_read_new();
    archive_read_support_filter_all(reader);
    archive_read_support_format_raw(reader);
    QByteArray bytes;
    archive_entry *entry = nullptr;
    if (archive_read_open_filename(reader, QFile::encodeName(path).constData(), 1 << 16) == ARCHIVE_OK &&
        archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        char buffer[65536];
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0)
            bytes.append(buffer, n);
    }
    archive_read_free(reader);
    return bytes;
}

const QByteArray specToml = "\n"
                            "[image]\n"
                            "entrypoint = [\"/app/src/run.sh\"]\n"
                            "workdir = \"/app\"\n"
                            "env = { MODE = \"test\" }\n"
                            "expose = [8080]\n"
                            "\n"
                            "[[layers]]\n"
                            "name = \"deps\"\n"
                            "include = [\"vendor/**\"]\n"
                            "dest = \"/app\"\n"
                            "\n"
                            "[[layers]]\n"
                            "name = \"app\"\n"
                            "include = [\"**\"]\n"
                            "exclude = [\"docs/**\"]\n"
                            "dest = \"/app\"\n";

// The layer events in one state.
QList<LayerEvent> layerEvents(const EventRecorder &events, LayerState state)
{
    QList<LayerEvent> found;
    for (const LayerEvent &layer : events.eventsOf<LayerEvent>())
        if (layer.state == state)
            found.append(layer);
    return found;
}

} // namespace

class TestImageBuilder final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GitRepo> m_repo;
    QString m_commit;

    Result<BuildOutput> build(const QString &dataDir, int jobs,
                              const QString &compression = QStringLiteral("gzip"),
                              EventSink *events = nullptr, std::stop_token stop = {},
                              std::optional<qint64> epoch = std::nullopt, const QString &ref = {})
    {
        BuildRequest request;
        request.source.location = m_repo->path();
        request.source.ref = ref;
        request.source.cacheDir = dataDir + QStringLiteral("/cache");
        request.source.events = events;
        request.source.stop = stop;
        request.compression = Compression::fromName(compression).value();
        request.jobs = jobs;
        request.sourceDateEpoch = epoch;
        return buildImage(request);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_repo = std::make_unique<GitRepo>();
        QVERIFY(m_repo->isValid());
        GitRepo &repo = *m_repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"), specToml));
        QVERIFY(repo.writeFile(QStringLiteral("vendor/lib/index.js"),
                               QByteArray("module.exports = 42;\n").repeated(50)));
        QVERIFY(repo.writeFile(QStringLiteral("vendor/lib/package.json"), "{\"name\":\"lib\"}\n"));
        QVERIFY(repo.writeFile(QStringLiteral("src/run.sh"), "#!/bin/sh\necho hi\n", true));
        QVERIFY(repo.writeFile(QStringLiteral("src/data.bin"), QByteArray(3 * 1024 * 1024 + 17, 'x')));
        QVERIFY(repo.writeFile(QStringLiteral("docs/readme.md"), "left out\n"));
        QVERIFY(repo.writeFile(QStringLiteral("donn\u00e9es/\u00e9t\u00e9.txt"), "unicode\n"));
        QVERIFY(repo.writeFile(QStringLiteral("deep/") + QStringLiteral("d").repeated(90) +
                                   QStringLiteral("/") + QStringLiteral("f").repeated(80) +
                                   QStringLiteral(".txt"),
                               "long name\n"));
        QVERIFY(repo.symlink(QStringLiteral("current"), QStringLiteral("src/run.sh")));
        m_commit = repo.commit(QStringLiteral("first"));
        QVERIFY2(!m_commit.isEmpty(), qPrintable(repo.lastError()));
    }

    void layersEqualTheGitTree()
    {
        QTemporaryDir data;
        auto built = build(data.path(), 2);
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
        QCOMPARE(built->commit, m_commit);
        QCOMPARE(built->commitMessage, QStringLiteral("first"));
        QCOMPARE(built->layers.size(), 2);
        QCOMPARE(built->layers.at(0).name, QStringLiteral("deps"));
        QCOMPARE(built->layers.at(0).blob.files, 2);

        // Expected: every file of the commit (but docs/), under /app, from git itself, with the
        // fixed mtime: without SOURCE_DATE_EPOCH a layer's bytes depend on its files only.
        const qint64 mtime = defaultLayerMtime;
        const QStringList listing = m_repo
                                        ->git({QStringLiteral("ls-tree"), QStringLiteral("-r"),
                                               QStringLiteral("-z"), QStringLiteral("HEAD")})
                                        .split(QChar(0), Qt::SkipEmptyParts);
        Tree expected;
        for (const QString &line : listing) {
            const QString meta = line.section(u'\t', 0, 0);
            const QString path = line.section(u'\t', 1);
            if (path.startsWith(QStringLiteral("docs/")))
                continue;
            const QString mode = meta.section(u' ', 0, 0);
            const QString blob = meta.section(u' ', 2, 2);
            QProcess cat;
            cat.setWorkingDirectory(m_repo->path());
            cat.start(QStringLiteral("git"), {QStringLiteral("cat-file"), QStringLiteral("blob"), blob});
            QVERIFY(cat.waitForFinished());
            TarEntry entry;
            entry.mtime = mtime;
            entry.uid = entry.gid = 0;
            if (mode == u"120000") {
                entry.type = 'l';
                entry.mode = 0777;
                entry.linkTarget = cat.readAllStandardOutput();
            } else {
                entry.type = 'f';
                entry.mode = mode == u"100755" ? 0755 : 0644;
                entry.contents = cat.readAllStandardOutput();
            }
            const QByteArray full = QStringLiteral("app/").toUtf8() + path.toUtf8();
            expected.insert(full, entry);
            // Every parent directory is there too.
            for (qsizetype slash = full.indexOf('/'); slash >= 0; slash = full.indexOf('/', slash + 1))
                expected.insert(full.left(slash + 1), TarEntry{'d', 0755, {}, {}, mtime, 0, 0});
        }

        const ContentStore store(data.filePath(QStringLiteral("cache/blobs")));
        Tree actual;
        for (const BuiltLayer &layer : built->layers) {
            QString error;
            const QString blobPath = store.blobPath(layer.blob.digest);
            const Tree tree = readLayer(blobPath, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            for (auto it = tree.cbegin(); it != tree.cend(); ++it) {
                if (it.value().type == 'd') {
                    QVERIFY(actual.value(it.key(), it.value()) == it.value());
                }
                actual.insert(it.key(), it.value());
            }
            // Digests: the blob's sha256 is its digest, the tar's its diff_id.
            QFile blob(blobPath);
            QVERIFY(blob.open(QIODevice::ReadOnly));
            QCOMPARE(Sha256::digestOf(blob.readAll()), layer.blob.digest);
            const QByteArray tar = decompressed(blobPath);
            QCOMPARE(tar.size(), layer.blob.uncompressedSize);
            QCOMPARE(Sha256::digestOf(tar), layer.blob.diffId);
        }
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(actual.value(it.key()) == it.value(), it.key().constData());
        QCOMPARE(actual.keys(), expected.keys());

        // Config and manifest are in the store and say what the spec says.
        const QJsonObject config = QJsonDocument::fromJson(store.read(built->configDigest).value()).object();
        const QJsonObject inner = config.value(QStringLiteral("config")).toObject();
        QCOMPARE(inner.value(QStringLiteral("Entrypoint")).toArray().at(0).toString(),
                 QStringLiteral("/app/src/run.sh"));
        QCOMPARE(inner.value(QStringLiteral("WorkingDir")).toString(), QStringLiteral("/app"));
        QCOMPARE(inner.value(QStringLiteral("Env")).toArray().at(0).toString(), QStringLiteral("MODE=test"));
        QVERIFY(inner.value(QStringLiteral("ExposedPorts")).toObject().contains(QStringLiteral("8080/tcp")));
        QCOMPARE(inner.value(QStringLiteral("Labels"))
                     .toObject()
                     .value(QStringLiteral("org.opencontainers.image.revision"))
                     .toString(),
                 m_commit);
        // A local path means nothing elsewhere, so it is not recorded as the image's source.
        QVERIFY(!inner.value(QStringLiteral("Labels"))
                     .toObject()
                     .contains(QStringLiteral("org.opencontainers.image.source")));
        QCOMPARE(config.value(QStringLiteral("rootfs"))
                     .toObject()
                     .value(QStringLiteral("diff_ids"))
                     .toArray()
                     .size(),
                 2);
        QCOMPARE(config.value(QStringLiteral("history")).toArray().size(), 2);
        const QJsonObject manifest = QJsonDocument::fromJson(built->manifest).object();
        QCOMPARE(
            manifest.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString(),
            built->configDigest);
        QCOMPARE(Sha256::digestOf(built->manifest), built->manifestDigest);
    }

    void reproducibleAcrossThreadsAndDataDirs_data()
    {
        QTest::addColumn<QString>("compression");
        QTest::newRow("gzip") << QStringLiteral("gzip");
        QTest::newRow("zstd") << QStringLiteral("zstd");
        QTest::newRow("none") << QStringLiteral("none");
    }
    void reproducibleAcrossThreadsAndDataDirs()
    {
        QFETCH(QString, compression);
        QTemporaryDir first;
        QTemporaryDir second;
        auto one = build(first.path(), 1, compression);
        auto four = build(second.path(), 4, compression);
        QVERIFY2(one && four,
                 qPrintable(one ? (four ? QString() : four.error().message) : one.error().message));
        QCOMPARE(one->manifestDigest, four->manifestDigest);
        QCOMPARE(one->configDigest, four->configDigest);
        for (const BuiltLayer &layer : one->layers)
            QVERIFY(!layer.cached);
    }

    void secondBuildIsCached()
    {
        QTemporaryDir data;
        EventRecorder events;
        auto cold = build(data.path(), 2, QStringLiteral("gzip"), &events);
        QVERIFY(cold);
        QCOMPARE(layerEvents(events, LayerState::Done).size(), 2);

        EventRecorder warmEvents;
        auto warm = build(data.path(), 2, QStringLiteral("gzip"), &warmEvents);
        QVERIFY(warm);
        QCOMPARE(warm->manifestDigest, cold->manifestDigest);
        for (const BuiltLayer &layer : warm->layers)
            QVERIFY2(layer.cached, qPrintable(layer.name));
        QCOMPARE(layerEvents(warmEvents, LayerState::Cached).size(), 2);
        QVERIFY(layerEvents(warmEvents, LayerState::Building).isEmpty());

        // Another compression is another layer.
        auto zstd = build(data.path(), 2, QStringLiteral("zstd"));
        QVERIFY(zstd);
        QVERIFY(!zstd->layers.at(0).cached);
    }

    void changedFileRebuildsOnlyItsLayer()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"), specToml));
        QVERIFY(repo.writeFile(QStringLiteral("vendor/a.js"), "a\n"));
        QVERIFY(repo.writeFile(QStringLiteral("src/run.sh"), "one\n", true));
        QVERIFY(!repo.commit(QStringLiteral("one")).isEmpty());
        QTemporaryDir data;
        BuildRequest request;
        request.source.location = repo.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        request.sourceDateEpoch = 1700000000; // so that the commit time does not change every layer
        auto first = buildImage(request);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));

        QVERIFY(repo.writeFile(QStringLiteral("src/run.sh"), "two\n", true));
        // A multi-line message: the build carries its summary line only.
        QVERIFY(
            !repo.commit(QStringLiteral("two: the script says two\n\nA body that\nspans lines.")).isEmpty());
        auto second = buildImage(request);
        QVERIFY(second);
        QCOMPARE(first->commitMessage, QStringLiteral("one"));
        QCOMPARE(second->commitMessage, QStringLiteral("two: the script says two"));
        QVERIFY(second->layers.at(0).cached);
        QVERIFY(!second->layers.at(1).cached);
        QCOMPARE(second->layers.at(0).blob.digest, first->layers.at(0).blob.digest);
        QVERIFY(second->layers.at(1).blob.digest != first->layers.at(1).blob.digest);

        // SOURCE_DATE_EPOCH is every file's mtime: another value is other bytes.
        request.sourceDateEpoch.reset();
        auto third = buildImage(request);
        QVERIFY(third);
        QVERIFY(!third->layers.at(0).cached);
    }

    // Without SOURCE_DATE_EPOCH, two commits that differ in one app file give the same bytes for
    // every other layer, from the cache; only the config (its `created`) and that layer change.
    void newCommitKeepsOtherLayersCached()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"), specToml));
        QVERIFY(repo.writeFile(QStringLiteral("vendor/a.js"), QByteArray("dependency\n").repeated(1000)));
        QVERIFY(repo.writeFile(QStringLiteral("src/server.js"), "one\n"));
        QVERIFY(!repo.commit(QStringLiteral("one")).isEmpty());
        QTemporaryDir data;
        BuildRequest request;
        request.source.location = repo.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        auto first = buildImage(request);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));

        // The harness's commits are a minute apart: the commit time differs as well.
        QVERIFY(repo.writeFile(QStringLiteral("src/server.js"), "two\n"));
        QVERIFY(!repo.commit(QStringLiteral("two")).isEmpty());
        auto second = buildImage(request);
        QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
        QVERIFY(second->commit != first->commit);
        QVERIFY(second->layers.at(0).cached);
        QCOMPARE(second->layers.at(0).blob.digest, first->layers.at(0).blob.digest);
        QCOMPARE(second->layers.at(0).blob.diffId, first->layers.at(0).blob.diffId);
        QVERIFY(!second->layers.at(1).cached);
        QVERIFY(second->layers.at(1).blob.digest != first->layers.at(1).blob.digest);

        // A fresh cache gives the same bytes: the cached layer is what a cold build makes.
        QTemporaryDir other;
        request.source.cacheDir = other.filePath(QStringLiteral("cache"));
        auto cold = buildImage(request);
        QVERIFY(cold);
        QVERIFY(!cold->layers.at(0).cached);
        QCOMPARE(cold->layers.at(0).blob.digest, second->layers.at(0).blob.digest);
        QCOMPARE(cold->layers.at(1).blob.digest, second->layers.at(1).blob.digest);
    }

    // The same for a directory source: an edit of one app file rebuilds only its layer, though
    // the directory's timestamp (its newest file) moved.
    void editedDirectoryKeepsOtherLayersCached()
    {
        QTemporaryDir dir;
        const auto write = [&](const QString &path, const QByteArray &bytes) {
            QDir().mkpath(QFileInfo(dir.filePath(path)).path());
            QFile out(dir.filePath(path));
            return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
        };
        QVERIFY(write(QStringLiteral("slipway.toml"), specToml));
        QVERIFY(write(QStringLiteral("vendor/a.js"), QByteArray("dependency\n").repeated(1000)));
        QVERIFY(write(QStringLiteral("src/server.js"), "one\n"));
        QTemporaryDir data;
        BuildRequest request;
        request.source.location = dir.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        auto first = buildImage(request);
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));

        QTest::qWait(1100); // so that the directory's timestamp moves too
        QVERIFY(write(QStringLiteral("src/server.js"), "two, longer\n"));
        auto second = buildImage(request);
        QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
        QVERIFY(second->layers.at(0).cached);
        QCOMPARE(second->layers.at(0).blob.digest, first->layers.at(0).blob.digest);
        QVERIFY(!second->layers.at(1).cached);
        QVERIFY(second->layers.at(1).blob.digest != first->layers.at(1).blob.digest);
    }

    void refsAndBadInput()
    {
        QTemporaryDir data;
        m_repo->gitOk({QStringLiteral("tag"), QStringLiteral("v1")});
        auto tagged =
            build(data.path(), 1, QStringLiteral("gzip"), nullptr, {}, std::nullopt, QStringLiteral("v1"));
        QVERIFY2(tagged, qPrintable(tagged ? QString() : tagged.error().message));
        QCOMPARE(tagged->commit, m_commit);

        auto unknown =
            build(data.path(), 1, QStringLiteral("gzip"), nullptr, {}, std::nullopt, QStringLiteral("nope"));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().kind, Error::Kind::BadInput);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("nope")),
                 qPrintable(unknown.error().message));

        GitRepo bare;
        QVERIFY(bare.writeFile(QStringLiteral("README"), "no spec\n"));
        QVERIFY(!bare.commit(QStringLiteral("x")).isEmpty());
        BuildRequest request;
        request.source.location = bare.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        auto noSpec = buildImage(request);
        QVERIFY(!noSpec);
        QCOMPARE(noSpec.error().kind, Error::Kind::BadInput);
        QVERIFY2(noSpec.error().message.contains(QStringLiteral("slipway.toml")),
                 qPrintable(noSpec.error().message));

        QVERIFY(bare.writeFile(
            QStringLiteral("slipway.toml"),
            "[[layers]]\nname = \"deps\"\ninclude = [\"vendor/**\"]\n[[layers]]\nname = \"app\"\n"
            "include = [\"**\"]\n"));
        QVERIFY(!bare.commit(QStringLiteral("y")).isEmpty());
        auto empty = buildImage(request);
        QVERIFY(!empty);
        QCOMPARE(empty.error().kind, Error::Kind::BadInput);
        QVERIFY2(empty.error().message.contains(QStringLiteral("'deps'")), qPrintable(empty.error().message));

        // A base image in a registry that does not answer (port 1 on loopback: refused at once).
        QVERIFY(
            bare.writeFile(QStringLiteral("slipway.toml"),
                           "[image]\nbase = \"127.0.0.1:1/library/alpine:3\"\n[[layers]]\nname = \"app\"\n"
                           "include = [\"**\"]\n"));
        QVERIFY(!bare.commit(QStringLiteral("z")).isEmpty());
        auto based = buildImage(request);
        QVERIFY(!based);
        QCOMPARE(based.error().kind, Error::Kind::Failed);
        QVERIFY2(based.error().message.contains(QStringLiteral("base image 127.0.0.1:1/library/alpine:3")) &&
                     based.error().message.contains(QStringLiteral("registry 127.0.0.1:1")),
                 qPrintable(based.error().message));
        QVERIFY(!based.error().message.contains(u'\n'));
    }

    // Several platforms on scratch: one image each, sharing the layers, under an OCI index.
    void severalPlatformsMakeAnIndex()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"),
                               "[image]\nplatforms = [\"linux/amd64\", \"linux/arm64\", \"linux/arm/v7\"]\n"
                               "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n"));
        QVERIFY(repo.writeFile(QStringLiteral("hello.txt"), "hello\n"));
        QVERIFY(!repo.commit(QStringLiteral("x")).isEmpty());
        QTemporaryDir data;
        BuildRequest request;
        request.source.location = repo.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        auto built = buildImage(request);
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
        QCOMPARE(built->mediaType, QStringLiteral("application/vnd.oci.image.index.v1+json"));
        QCOMPARE(built->images.size(), 3);
        QCOMPARE(built->layers.size(), 1);

        const ContentStore store(data.filePath(QStringLiteral("cache/blobs")));
        QCOMPARE(Sha256::digestOf(built->manifest), built->manifestDigest);
        QVERIFY(store.contains(built->manifestDigest));
        const QJsonArray manifests =
            QJsonDocument::fromJson(built->manifest).object().value(QStringLiteral("manifests")).toArray();
        QCOMPARE(manifests.size(), 3);
        const QStringList architectures{QStringLiteral("amd64"), QStringLiteral("arm64"),
                                        QStringLiteral("arm")};
        for (int i = 0; i < 3; ++i) {
            const QJsonObject entry = manifests.at(i).toObject();
            QCOMPARE(entry.value(QStringLiteral("digest")).toString(), built->images.at(i).manifestDigest);
            QCOMPARE(entry.value(QStringLiteral("platform"))
                         .toObject()
                         .value(QStringLiteral("architecture"))
                         .toString(),
                     architectures.at(i));
            const QJsonObject manifest =
                QJsonDocument::fromJson(store.read(built->images.at(i).manifestDigest).value()).object();
            // The same app layer in every platform's manifest.
            QCOMPARE(manifest.value(QStringLiteral("layers"))
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(QStringLiteral("digest"))
                         .toString(),
                     built->layers.at(0).blob.digest);
            const QJsonObject config =
                QJsonDocument::fromJson(store.read(built->images.at(i).configDigest).value()).object();
            QCOMPARE(config.value(QStringLiteral("architecture")).toString(), architectures.at(i));
            QVERIFY(built->blobs.contains(built->images.at(i).manifestDigest));
            QVERIFY(built->blobs.contains(built->images.at(i).configDigest));
        }
        QCOMPARE(QJsonDocument::fromJson(store.read(built->images.at(2).configDigest).value())
                     .object()
                     .value(QStringLiteral("variant"))
                     .toString(),
                 QStringLiteral("v7"));

        // Reproducible, and the layer cache still answers.
        auto again = buildImage(request);
        QVERIFY(again);
        QCOMPARE(again->manifestDigest, built->manifestDigest);
        QVERIFY(again->layers.at(0).cached);
    }

    void cancelledBuildKeepsNothing()
    {
        QTemporaryDir data;
        std::stop_source stop;
        stop.request_stop();
        auto cancelled = build(data.path(), 2, QStringLiteral("gzip"), nullptr, stop.get_token());
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().kind, Error::Kind::Cancelled);
        const QDir blobs(data.filePath(QStringLiteral("cache/blobs/sha256")));
        QVERIFY(blobs.entryList(QDir::Files).isEmpty());
        const QDir ingest(data.filePath(QStringLiteral("cache/blobs/ingest")));
        QVERIFY(ingest.entryList(QDir::Files).isEmpty());
    }

    // A build started from a pool thread of a one-thread pool still finishes.
    void runsOnItsOwnPool()
    {
        QTemporaryDir data;
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        std::optional<Result<BuildOutput>> result;
        QVERIFY(pool.tryStart([&] {
            BuildRequest request;
            request.source.location = m_repo->path();
            request.source.cacheDir = data.filePath(QStringLiteral("cache"));
            request.pool = &pool;
            request.jobs = 4;
            result.emplace(buildImage(request));
        }));
        QVERIFY(pool.waitForDone(120000));
        QVERIFY(result && *result);
    }
};

QTEST_GUILESS_MAIN(TestImageBuilder)
#include "tst_imagebuilder.moc"
