#include "oci/image.h"
#include "oci/mediatypes.h"
#include "oci/ocilayout.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;
using namespace slipway::oci;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

struct StoredImage
{
    QString manifestDigest;
    qint64 manifestSize = 0;
    QStringList blobs;
};

StoredImage storeImage(const ContentStore &store, const QByteArray &layerBytes)
{
    const QString layer = store.put(layerBytes).value();
    ImageInput input;
    input.created = 1700000000;
    input.layers.append(ImageLayer{
        QStringLiteral("app"),
        Descriptor{QStringLiteral("application/vnd.oci.image.layer.v1.tar"), layer, layerBytes.size(), {}},
        layer, QStringLiteral("test")});
    const QByteArray config = imageConfig(input);
    const QString configDigest = store.put(config).value();
    const QByteArray manifest =
        imageManifest(Descriptor{configMediaType(), configDigest, config.size(), {}}, input.layers);
    return {store.put(manifest).value(), manifest.size(), {configDigest, layer}};
}

} // namespace

class TestOciLayout final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesReferences_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("directory");
        QTest::addColumn<QString>("tag");
        QTest::newRow("plain") << QStringLiteral("out") << QStringLiteral("out") << QStringLiteral("latest");
        QTest::newRow("tag") << QStringLiteral("out:v1.2") << QStringLiteral("out") << QStringLiteral("v1.2");
        QTest::newRow("path with tag")
            << QStringLiteral("/tmp/a/out:dev") << QStringLiteral("/tmp/a/out") << QStringLiteral("dev");
        QTest::newRow("colon in a directory")
            << QStringLiteral("/tmp/a:b/out") << QStringLiteral("/tmp/a:b/out") << QStringLiteral("latest");
    }
    void parsesReferences()
    {
        QFETCH(QString, text);
        QFETCH(QString, directory);
        QFETCH(QString, tag);
        auto parsed = LayoutReference::parse(text);
        QVERIFY(parsed);
        QCOMPARE(parsed->directory, directory);
        QCOMPARE(parsed->tag, tag);
    }

    void rejectsBadReferences()
    {
        auto noDir = LayoutReference::parse(QStringLiteral(":v1"));
        QVERIFY(!noDir);
        QCOMPARE(noDir.error().kind, Error::Kind::BadInput);
        auto badTag = LayoutReference::parse(QStringLiteral("out:-bad"));
        QVERIFY(!badTag);
        QVERIFY(badTag.error().message.contains(QStringLiteral("'-bad'")));
        QVERIFY(!LayoutReference::parse(QStringLiteral("out:v1\n")));
        QVERIFY(!isSha256Digest(QStringLiteral("sha256:") + QStringLiteral("a").repeated(64) + u'\n'));
        QVERIFY(isSha256Digest(QStringLiteral("sha256:") + QStringLiteral("a").repeated(64)));
    }

    void writesALayout()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.filePath(QStringLiteral("store")));
        const StoredImage image = storeImage(store, "layer one");
        const LayoutReference layout{dir.filePath(QStringLiteral("out")), QStringLiteral("v1")};
        QVERIFY(writeLayout(layout, store, image.manifestDigest, image.manifestSize, image.blobs));

        QCOMPARE(readJson(layout.directory + QStringLiteral("/oci-layout"))
                     .value(QStringLiteral("imageLayoutVersion")),
                 QStringLiteral("1.0.0"));
        const QJsonObject index = readJson(layout.directory + QStringLiteral("/index.json"));
        QCOMPARE(index.value(QStringLiteral("schemaVersion")).toInt(), 2);
        const QJsonArray manifests = index.value(QStringLiteral("manifests")).toArray();
        QCOMPARE(manifests.size(), 1);
        const QJsonObject entry = manifests.at(0).toObject();
        QCOMPARE(entry.value(QStringLiteral("digest")).toString(), image.manifestDigest);
        QCOMPARE(entry.value(QStringLiteral("size")).toInteger(), image.manifestSize);
        QCOMPARE(entry.value(QStringLiteral("annotations")).toObject().value(refNameAnnotation()).toString(),
                 QStringLiteral("v1"));
        for (const QString &digest : image.blobs + QStringList{image.manifestDigest}) {
            QFile blob(layout.directory + QStringLiteral("/blobs/sha256/") + digest.mid(7));
            QVERIFY2(blob.open(QIODevice::ReadOnly), qPrintable(digest));
            QCOMPARE(Sha256::digestOf(blob.readAll()), digest);
        }

        // A second tag keeps the first; the same tag again replaces its entry.
        const StoredImage other = storeImage(store, "layer two");
        QVERIFY(writeLayout({layout.directory, QStringLiteral("v2")}, store, other.manifestDigest,
                            other.manifestSize, other.blobs));
        QVERIFY(writeLayout({layout.directory, QStringLiteral("v1")}, store, other.manifestDigest,
                            other.manifestSize, other.blobs));
        const QJsonArray after = readJson(layout.directory + QStringLiteral("/index.json"))
                                     .value(QStringLiteral("manifests"))
                                     .toArray();
        QCOMPARE(after.size(), 2);
        for (const QJsonValue &value : after)
            QCOMPARE(value.toObject().value(QStringLiteral("digest")).toString(), other.manifestDigest);
    }

    // An index (several platforms) is written with every blob it refers to, listed or not.
    void writesAnIndexWithItsBlobs()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.filePath(QStringLiteral("store")));
        const StoredImage amd = storeImage(store, "amd64 layer");
        const StoredImage arm = storeImage(store, "arm64 layer");
        const QByteArray index =
            imageIndex({IndexEntry{Descriptor{manifestMediaType(), amd.manifestDigest, amd.manifestSize, {}},
                                   QStringLiteral("linux"),
                                   QStringLiteral("amd64"),
                                   {}},
                        IndexEntry{Descriptor{manifestMediaType(), arm.manifestDigest, arm.manifestSize, {}},
                                   QStringLiteral("linux"),
                                   QStringLiteral("arm64"),
                                   {}}});
        const QString indexDigest = store.put(index).value();
        const LayoutReference layout{dir.filePath(QStringLiteral("layout")), QStringLiteral("multi")};
        QVERIFY(writeLayout(layout, store, indexDigest, index.size(), {}));

        for (const QString &digest :
             amd.blobs + arm.blobs + QStringList{amd.manifestDigest, arm.manifestDigest, indexDigest})
            QVERIFY2(QFile::exists(layout.directory + QStringLiteral("/blobs/sha256/") + digest.mid(7)),
                     qPrintable(digest));
        const QJsonObject top = readJson(layout.directory + QStringLiteral("/index.json"))
                                    .value(QStringLiteral("manifests"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
        QCOMPARE(top.value(QStringLiteral("digest")).toString(), indexDigest);
        QCOMPARE(top.value(QStringLiteral("mediaType")).toString(), indexMediaType());
    }

    void refusesADirectoryThatIsNotALayout()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.filePath(QStringLiteral("store")));
        const StoredImage image = storeImage(store, "layer");
        QFile other(dir.filePath(QStringLiteral("busy/notes.txt")));
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("busy"))));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();
        Status status = writeLayout({dir.filePath(QStringLiteral("busy")), QStringLiteral("latest")}, store,
                                    image.manifestDigest, image.manifestSize, image.blobs);
        QVERIFY(!status);
        QCOMPARE(status.error().kind, Error::Kind::BadInput);
        QCOMPARE(
            QDir(dir.filePath(QStringLiteral("busy"))).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
            QStringList{QStringLiteral("notes.txt")});
    }

    void leavesNothingWhenItFails()
    {
        QTemporaryDir dir;
        const ContentStore store(dir.filePath(QStringLiteral("store")));
        const StoredImage image = storeImage(store, "layer");
        // A blob the store does not have: the layout it started is removed again.
        const QString missing = QStringLiteral("sha256:") + QStringLiteral("0").repeated(64);
        const QString out = dir.filePath(QStringLiteral("out"));
        Status status = writeLayout({out, QStringLiteral("latest")}, store, image.manifestDigest,
                                    image.manifestSize, image.blobs + QStringList{missing});
        QVERIFY(!status);
        QVERIFY2(status.error().message.contains(missing), qPrintable(status.error().message));
        QVERIFY(!QFileInfo::exists(out));

        // Somewhere nothing can be written.
        status = writeLayout({QStringLiteral("/proc/slipway-test/out"), QStringLiteral("latest")}, store,
                             image.manifestDigest, image.manifestSize, image.blobs);
        QVERIFY(!status);
        QVERIFY2(status.error().message.contains(QStringLiteral("/proc/slipway-test/out")),
                 qPrintable(status.error().message));
    }

    void configIsDeterministic()
    {
        ImageInput input;
        input.created = 1700000000;
        input.image.env = {{QStringLiteral("B"), QStringLiteral("2")},
                           {QStringLiteral("A"), QStringLiteral("1")}};
        input.image.labels = {{QStringLiteral("x"), QStringLiteral("y")}};
        input.revision = QStringLiteral("abc");
        input.source = QStringLiteral("https://example.com/app.git");
        const QByteArray config = imageConfig(input);
        QCOMPARE(config, imageConfig(input));
        const QJsonObject object = QJsonDocument::fromJson(config).object();
        QCOMPARE(object.value(QStringLiteral("created")).toString(), QStringLiteral("2023-11-14T22:13:20Z"));
        const QJsonObject inner = object.value(QStringLiteral("config")).toObject();
        QCOMPARE(inner.value(QStringLiteral("Env")).toArray(),
                 (QJsonArray{QStringLiteral("A=1"), QStringLiteral("B=2")}));
        const QJsonObject labels = inner.value(QStringLiteral("Labels")).toObject();
        QCOMPARE(labels.value(QStringLiteral("x")).toString(), QStringLiteral("y"));
        QCOMPARE(labels.value(QStringLiteral("org.opencontainers.image.revision")).toString(),
                 QStringLiteral("abc"));
        QCOMPARE(labels.value(QStringLiteral("org.opencontainers.image.source")).toString(),
                 QStringLiteral("https://example.com/app.git"));
    }
};

QTEST_GUILESS_MAIN(TestOciLayout)
#include "tst_ocilayout.moc"
