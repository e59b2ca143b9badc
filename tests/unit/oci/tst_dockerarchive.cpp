// The docker-save tarball, read back with libarchive.

#include "oci/dockerarchive.h"
#include "oci/image.h"
#include "oci/mediatypes.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

using namespace slipway;
using namespace slipway::oci;

namespace {

struct Entry
{
    QString name;
    QByteArray bytes;
    int mode = 0;
};

QList<Entry> readTar(const QByteArray &tar, QString *error)
{
    QList<Entry> entries;
    archive *reader = archive_read_new();
    archive_read_support_format_tar(reader);
    if (archive_read_open_memory(reader, tar.constData(), size_t(tar.size())) != ARCHIVE_OK) {
        *error = QString::fromUtf8(archive_error_string(reader));
        archive_read_free(reader);
        return {};
    }
    archive_entry *entry = nullptr;
    int result = ARCHIVE_OK;
    while ((result = archive_read_next_header(reader, &entry)) == ARCHIVE_OK) {
        Entry e;
        e.name = QString::fromUtf8(archive_entry_pathname(entry));
        e.mode = int(archive_entry_perm(entry));
        char buffer[65536];
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0)
            e.bytes.append(buffer, qsizetype(n));
        entries.append(e);
    }
    if (result != ARCHIVE_EOF)
        *error = QString::fromUtf8(archive_error_string(reader));
    archive_read_free(reader);
    return entries;
}

struct Image
{
    QString manifestDigest;
    QString configDigest;
    QByteArray config;
    QList<QByteArray> layers;
    QStringList layerDigests;
};

Image storeImage(const ContentStore &store, const QList<QByteArray> &layers)
{
    Image image;
    ImageInput input;
    input.created = 1700000000;
    for (const QByteArray &bytes : layers) {
        const QString digest = store.put(bytes).value();
        image.layers.append(bytes);
        image.layerDigests.append(digest);
        input.layers.append(ImageLayer{
            QStringLiteral("l"),
            Descriptor{
                QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"), digest, bytes.size(), {}},
            digest, QStringLiteral("test")});
    }
    image.config = imageConfig(input);
    image.configDigest = store.put(image.config).value();
    const QByteArray manifest = imageManifest(
        Descriptor{configMediaType(), image.configDigest, image.config.size(), {}}, input.layers);
    image.manifestDigest = store.put(manifest).value();
    return image;
}

} // namespace

class TestDockerArchive final : public QObject
{
    Q_OBJECT

    Status write(const ContentStore &store, const QString &manifest, const QStringList &tags, QByteArray *out,
                 std::stop_token stop = {})
    {
        return writeDockerArchive([&store](const QString &digest) { return store.blobPath(digest); },
                                  manifest, tags,
                                  [out](const char *data, qsizetype size) {
                                      out->append(data, size);
                                      return success();
                                  },
                                  stop);
    }

private Q_SLOTS:
    void structure()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const QByteArray big(300 * 1024 + 7, 'x'); // more than one read chunk
        const Image image = storeImage(store, {QByteArray("layer one"), big, QByteArray("layer one")});

        QByteArray tar;
        const Status written = write(store, image.manifestDigest, {QStringLiteral("app:1.0")}, &tar);
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));
        QCOMPARE(tar.size() % 512, 0);

        QString error;
        const QList<Entry> entries = readTar(tar, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // manifest.json, the config, and each distinct layer once.
        QCOMPARE(entries.size(), 4);
        QCOMPARE(entries.at(0).name, QStringLiteral("manifest.json"));
        const QString configName = image.configDigest.mid(7) + QStringLiteral(".json");
        QCOMPARE(entries.at(1).name, configName);
        QCOMPARE(entries.at(1).bytes, image.config);
        QCOMPARE(entries.at(2).name, QString(image.layerDigests.at(0).mid(7) + QStringLiteral("/layer.tar")));
        QCOMPARE(entries.at(2).bytes, image.layers.at(0));
        QCOMPARE(entries.at(3).bytes, big);
        QCOMPARE(entries.at(3).mode, 0644);

        const QJsonArray manifest = QJsonDocument::fromJson(entries.at(0).bytes).array();
        QCOMPARE(manifest.size(), 1);
        const QJsonObject first = manifest.at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("Config")).toString(), configName);
        QCOMPARE(first.value(QStringLiteral("RepoTags")).toArray(), QJsonArray{QStringLiteral("app:1.0")});
        const QJsonArray layers = first.value(QStringLiteral("Layers")).toArray();
        QCOMPARE(layers.size(), 3); // the repeated layer is listed twice, stored once
        QCOMPARE(layers.at(0).toString(), layers.at(2).toString());
        QCOMPARE(layers.at(1).toString(),
                 QString(image.layerDigests.at(1).mid(7) + QStringLiteral("/layer.tar")));

        // Reproducible: the same image gives the same bytes.
        QByteArray again;
        QVERIFY(write(store, image.manifestDigest, {QStringLiteral("app:1.0")}, &again).ok());
        QCOMPARE(Sha256::digestOf(again), Sha256::digestOf(tar));
    }

    void untagged()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image image = storeImage(store, {QByteArray("a")});
        QByteArray tar;
        QVERIFY(write(store, image.manifestDigest, {}, &tar).ok());
        QString error;
        const QList<Entry> entries = readTar(tar, &error);
        QVERIFY(!entries.isEmpty());
        const QJsonObject first = QJsonDocument::fromJson(entries.at(0).bytes).array().at(0).toObject();
        QVERIFY(first.value(QStringLiteral("RepoTags")).toArray().isEmpty());
    }

    void missingBlobFails()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image image = storeImage(store, {QByteArray("a"), QByteArray("b")});
        QVERIFY(QFile::remove(store.blobPath(image.layerDigests.at(1))));
        QByteArray tar;
        const Status written = write(store, image.manifestDigest, {}, &tar);
        QVERIFY(!written);
        QVERIFY2(written.error().message.contains(image.layerDigests.at(1)),
                 qPrintable(written.error().message));

        const Status noManifest = write(store, QStringLiteral("sha256:") + QString(64, u'0'), {}, &tar);
        QVERIFY(!noManifest);
    }

    void changedBlobFails()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image image = storeImage(store, {QByteArray("abc")});
        // A layer of another size than the manifest says is refused before anything is written.
        QFile layer(store.blobPath(image.layerDigests.at(0)));
        layer.setPermissions(layer.permissions() | QFileDevice::WriteOwner);
        QVERIFY(layer.open(QIODevice::WriteOnly | QIODevice::Truncate));
        layer.write("abcd");
        layer.close();
        QByteArray tar;
        const Status written = write(store, image.manifestDigest, {}, &tar);
        QVERIFY(!written);
        QVERIFY2(written.error().message.contains(QStringLiteral("4 bytes")),
                 qPrintable(written.error().message));
    }

    void indexGivesTheAmd64Image()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image arm = storeImage(store, {QByteArray("arm")});
        const Image amd = storeImage(store, {QByteArray("amd")});
        const QByteArray index =
            imageIndex({IndexEntry{Descriptor{manifestMediaType(), arm.manifestDigest, 10, {}},
                                   QStringLiteral("linux"),
                                   QStringLiteral("arm64"),
                                   {}},
                        IndexEntry{Descriptor{manifestMediaType(), amd.manifestDigest, 10, {}},
                                   QStringLiteral("linux"),
                                   QStringLiteral("amd64"),
                                   {}}});
        const QString indexDigest = store.put(index).value();
        QByteArray tar;
        QVERIFY(write(store, indexDigest, {}, &tar).ok());
        QString error;
        const QList<Entry> entries = readTar(tar, &error);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(2).bytes, QByteArray("amd"));

        // An index without an amd64 image: its first.
        const QByteArray armOnly =
            imageIndex({IndexEntry{Descriptor{manifestMediaType(), arm.manifestDigest, 10, {}},
                                   QStringLiteral("linux"),
                                   QStringLiteral("arm64"),
                                   {}}});
        tar.clear();
        QVERIFY(write(store, store.put(armOnly).value(), {}, &tar).ok());
        QCOMPARE(readTar(tar, &error).at(2).bytes, QByteArray("arm"));

        // Not a manifest at all.
        const QString notManifest = store.put("{\"hello\":1}").value();
        const Status refused = write(store, notManifest, {}, &tar);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::BadInput);
    }

    void sinkErrorIsTheError()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image image = storeImage(store, {QByteArray(100000, 'z')});
        qint64 total = 0;
        const Status written = writeDockerArchive(
            [&store](const QString &digest) { return store.blobPath(digest); }, image.manifestDigest, {},
            [&total](const char *, qsizetype size) -> Status {
                total += size;
                if (total > 2048)
                    return Error::failed(QStringLiteral("disk full (test)"));
                return success();
            },
            {});
        QVERIFY(!written);
        QCOMPARE(written.error().message, QStringLiteral("disk full (test)"));
    }

    void stops()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.path());
        const Image image = storeImage(store, {QByteArray(1000000, 'q')});
        std::stop_source stop;
        QByteArray tar;
        const Status written = writeDockerArchive(
            [&store](const QString &digest) { return store.blobPath(digest); }, image.manifestDigest, {},
            [&](const char *data, qsizetype size) -> Status {
                tar.append(data, size);
                if (tar.size() > 4096)
                    stop.request_stop();
                return success();
            },
            stop.get_token());
        QVERIFY(!written);
        QCOMPARE(written.error().kind, Error::Kind::Cancelled);
        QVERIFY2(tar.size() < 1000000, qPrintable(QString::number(tar.size())));
    }
};

QTEST_GUILESS_MAIN(TestDockerArchive)
#include "tst_dockerarchive.moc"
