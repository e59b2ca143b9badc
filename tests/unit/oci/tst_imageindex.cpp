// Config inheritance from a base image, the OCI index, and choosing a platform from an index.

#include "oci/image.h"
#include "oci/mediatypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace slipway;
using namespace slipway::oci;

namespace {

QString fakeDigest(QChar c)
{
    return QStringLiteral("sha256:") + QString(64, c);
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject baseConfig()
{
    QJsonObject config{
        {QStringLiteral("Env"), QJsonArray{QStringLiteral("PATH=/usr/bin:/bin"), QStringLiteral("LANG=C"),
                                           QStringLiteral("EMPTY=")}},
        {QStringLiteral("Entrypoint"), QJsonArray{QStringLiteral("/docker-entrypoint.sh")}},
        {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("sh")}},
        {QStringLiteral("WorkingDir"), QStringLiteral("/base")},
        {QStringLiteral("User"), QStringLiteral("1000")},
        {QStringLiteral("StopSignal"), QStringLiteral("SIGQUIT")},
        {QStringLiteral("ExposedPorts"), QJsonObject{{QStringLiteral("80/tcp"), QJsonObject()}}},
        {QStringLiteral("Labels"), QJsonObject{{QStringLiteral("maintainer"), QStringLiteral("base")},
                                               {QStringLiteral("shared"), QStringLiteral("base")}}}};
    return QJsonObject{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("config"), config},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), QJsonArray{fakeDigest(u'1')}}}},
        {QStringLiteral("history"),
         QJsonArray{QJsonObject{{QStringLiteral("created_by"), QStringLiteral("ADD rootfs")}},
                    QJsonObject{{QStringLiteral("created_by"), QStringLiteral("CMD sh")},
                                {QStringLiteral("empty_layer"), true}}}}};
}

ImageInput appInput()
{
    ImageInput input;
    input.created = 1700000000;
    input.layers.append(ImageLayer{
        QStringLiteral("app"),
        Descriptor{QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"), fakeDigest(u'a'), 10, {}},
        fakeDigest(u'2'), QStringLiteral("slipway: ** -> /app")});
    return input;
}

QJsonObject indexOf(const QList<QStringList> &platforms)
{
    QJsonArray manifests;
    int n = 0;
    for (const QStringList &p : platforms) {
        QJsonObject platform{{QStringLiteral("os"), p.value(0)},
                             {QStringLiteral("architecture"), p.value(1)}};
        if (!p.value(2).isEmpty())
            platform.insert(QStringLiteral("variant"), p.value(2));
        manifests.append(QJsonObject{{QStringLiteral("mediaType"), manifestMediaType()},
                                     {QStringLiteral("digest"), fakeDigest(QChar(u'0' + n++))},
                                     {QStringLiteral("size"), 100},
                                     {QStringLiteral("platform"), platform}});
    }
    return QJsonObject{{QStringLiteral("manifests"), manifests}};
}

} // namespace

class TestImageIndex final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scratchConfigIsUnchangedByTheBaseSupport()
    {
        ImageInput input = appInput();
        input.image.env.insert(QStringLiteral("B"), QStringLiteral("2"));
        input.image.env.insert(QStringLiteral("A"), QStringLiteral("1"));
        const QJsonObject root = parse(imageConfig(input));
        const QJsonObject config = root.value(QStringLiteral("config")).toObject();
        QCOMPARE(config.value(QStringLiteral("Env")).toArray(),
                 (QJsonArray{QStringLiteral("A=1"), QStringLiteral("B=2")}));
        QVERIFY(!config.contains(QStringLiteral("Entrypoint")));
        QCOMPARE(root.value(QStringLiteral("rootfs"))
                     .toObject()
                     .value(QStringLiteral("diff_ids"))
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(root.value(QStringLiteral("history")).toArray().size(), 1);
    }

    void inheritsTheBaseConfig()
    {
        ImageInput input = appInput();
        input.baseConfig = baseConfig();
        const QJsonObject root = parse(imageConfig(input));
        const QJsonObject config = root.value(QStringLiteral("config")).toObject();
        QCOMPARE(config.value(QStringLiteral("Env")).toArray(),
                 (QJsonArray{QStringLiteral("PATH=/usr/bin:/bin"), QStringLiteral("LANG=C"),
                             QStringLiteral("EMPTY=")}));
        QCOMPARE(config.value(QStringLiteral("Entrypoint")).toArray(),
                 QJsonArray{QStringLiteral("/docker-entrypoint.sh")});
        QCOMPARE(config.value(QStringLiteral("Cmd")).toArray(), QJsonArray{QStringLiteral("sh")});
        QCOMPARE(config.value(QStringLiteral("WorkingDir")).toString(), QStringLiteral("/base"));
        QCOMPARE(config.value(QStringLiteral("User")).toString(), QStringLiteral("1000"));
        QCOMPARE(config.value(QStringLiteral("StopSignal")).toString(), QStringLiteral("SIGQUIT"));
        QVERIFY(config.value(QStringLiteral("ExposedPorts")).toObject().contains(QStringLiteral("80/tcp")));
        QCOMPARE(
            config.value(QStringLiteral("Labels")).toObject().value(QStringLiteral("maintainer")).toString(),
            QStringLiteral("base"));

        // Base layers and history first, then the app's.
        const QJsonArray diffIds =
            root.value(QStringLiteral("rootfs")).toObject().value(QStringLiteral("diff_ids")).toArray();
        QCOMPARE(diffIds.size(), 2);
        QCOMPARE(diffIds.at(0).toString(), fakeDigest(u'1'));
        QCOMPARE(diffIds.at(1).toString(), fakeDigest(u'2'));
        const QJsonArray history = root.value(QStringLiteral("history")).toArray();
        QCOMPARE(history.size(), 3);
        QCOMPARE(history.at(0).toObject().value(QStringLiteral("created_by")).toString(),
                 QStringLiteral("ADD rootfs"));
        QVERIFY(history.at(1).toObject().value(QStringLiteral("empty_layer")).toBool());
        QCOMPARE(history.at(2).toObject().value(QStringLiteral("created_by")).toString(),
                 QStringLiteral("slipway: ** -> /app"));
    }

    void specOverridesTheBase()
    {
        ImageInput input = appInput();
        input.baseConfig = baseConfig();
        input.image.env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
        input.image.env.insert(QStringLiteral("APP"), QStringLiteral("1"));
        input.image.entrypoint = QStringList{QStringLiteral("/app/server")};
        input.image.workdir = QStringLiteral("/app");
        input.image.user = QStringLiteral("65532");
        input.image.expose = {8080};
        input.image.labels.insert(QStringLiteral("shared"), QStringLiteral("app"));
        const QJsonObject config = parse(imageConfig(input)).value(QStringLiteral("config")).toObject();
        // Merged by name, in the base's order; new names after.
        QCOMPARE(config.value(QStringLiteral("Env")).toArray(),
                 (QJsonArray{QStringLiteral("PATH=/usr/bin:/bin"), QStringLiteral("LANG=C.UTF-8"),
                             QStringLiteral("EMPTY="), QStringLiteral("APP=1")}));
        QCOMPARE(config.value(QStringLiteral("Entrypoint")).toArray(),
                 QJsonArray{QStringLiteral("/app/server")});
        // A new entrypoint drops the base's Cmd, as Docker does.
        QVERIFY(!config.contains(QStringLiteral("Cmd")));
        QCOMPARE(config.value(QStringLiteral("WorkingDir")).toString(), QStringLiteral("/app"));
        QCOMPARE(config.value(QStringLiteral("User")).toString(), QStringLiteral("65532"));
        const QJsonObject ports = config.value(QStringLiteral("ExposedPorts")).toObject();
        QVERIFY(ports.contains(QStringLiteral("80/tcp")));
        QVERIFY(ports.contains(QStringLiteral("8080/tcp")));
        const QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
        QCOMPARE(labels.value(QStringLiteral("shared")).toString(), QStringLiteral("app"));
        QCOMPARE(labels.value(QStringLiteral("maintainer")).toString(), QStringLiteral("base"));

        input.image.cmd = QStringList{QStringLiteral("--port"), QStringLiteral("8080")};
        const QJsonObject withCmd = parse(imageConfig(input)).value(QStringLiteral("config")).toObject();
        QCOMPARE(withCmd.value(QStringLiteral("Cmd")).toArray(),
                 (QJsonArray{QStringLiteral("--port"), QStringLiteral("8080")}));
    }

    void sameInputSameBytes()
    {
        ImageInput input = appInput();
        input.baseConfig = baseConfig();
        input.image.env.insert(QStringLiteral("APP"), QStringLiteral("1"));
        QCOMPARE(imageConfig(input), imageConfig(input));
    }

    void indexJson()
    {
        const QList<IndexEntry> entries{IndexEntry{Descriptor{manifestMediaType(), fakeDigest(u'a'), 500, {}},
                                                   QStringLiteral("linux"),
                                                   QStringLiteral("amd64"),
                                                   {}},
                                        IndexEntry{Descriptor{manifestMediaType(), fakeDigest(u'b'), 501, {}},
                                                   QStringLiteral("linux"), QStringLiteral("arm"),
                                                   QStringLiteral("v7")}};
        const QByteArray bytes = imageIndex(entries);
        QVERIFY(!bytes.contains('\n'));
        const QJsonObject index = parse(bytes);
        QCOMPARE(index.value(QStringLiteral("schemaVersion")).toInt(), 2);
        QCOMPARE(index.value(QStringLiteral("mediaType")).toString(), indexMediaType());
        const QJsonArray manifests = index.value(QStringLiteral("manifests")).toArray();
        QCOMPARE(manifests.size(), 2);
        const QJsonObject second = manifests.at(1).toObject();
        QCOMPARE(second.value(QStringLiteral("digest")).toString(), fakeDigest(u'b'));
        QCOMPARE(second.value(QStringLiteral("size")).toInteger(), 501);
        QCOMPARE(second.value(QStringLiteral("mediaType")).toString(), manifestMediaType());
        const QJsonObject platform = second.value(QStringLiteral("platform")).toObject();
        QCOMPARE(platform.value(QStringLiteral("architecture")).toString(), QStringLiteral("arm"));
        QCOMPARE(platform.value(QStringLiteral("variant")).toString(), QStringLiteral("v7"));
        QVERIFY(!manifests.at(0)
                     .toObject()
                     .value(QStringLiteral("platform"))
                     .toObject()
                     .contains(QStringLiteral("variant")));
        QCOMPARE(indexPlatforms(index),
                 (QStringList{QStringLiteral("linux/amd64"), QStringLiteral("linux/arm/v7")}));
    }

    void choosesThePlatform_data()
    {
        QTest::addColumn<QString>("platform");
        QTest::addColumn<int>("expected"); // index into the entries, -1: none
        // entries: 0 linux/amd64, 1 linux/arm/v6, 2 linux/arm/v7, 3 linux/arm64/v8, 4 windows/amd64
        QTest::newRow("amd64") << QStringLiteral("linux/amd64") << 0;
        QTest::newRow("arm v7") << QStringLiteral("linux/arm/v7") << 2;
        QTest::newRow("arm without variant: first") << QStringLiteral("linux/arm") << 1;
        QTest::newRow("arm64 is arm64/v8") << QStringLiteral("linux/arm64") << 3;
        QTest::newRow("arm64/v8") << QStringLiteral("linux/arm64/v8") << 3;
        QTest::newRow("windows") << QStringLiteral("windows/amd64") << 4;
        QTest::newRow("missing arch") << QStringLiteral("linux/s390x") << -1;
        QTest::newRow("missing variant") << QStringLiteral("linux/arm/v5") << -1;
    }

    void choosesThePlatform()
    {
        QFETCH(QString, platform);
        QFETCH(int, expected);
        const QJsonObject index =
            indexOf({{QStringLiteral("linux"), QStringLiteral("amd64")},
                     {QStringLiteral("linux"), QStringLiteral("arm"), QStringLiteral("v6")},
                     {QStringLiteral("linux"), QStringLiteral("arm"), QStringLiteral("v7")},
                     {QStringLiteral("linux"), QStringLiteral("arm64"), QStringLiteral("v8")},
                     {QStringLiteral("windows"), QStringLiteral("amd64")}});
        const std::optional<Descriptor> chosen = choosePlatform(index, platform);
        if (expected < 0) {
            QVERIFY(!chosen);
            return;
        }
        QVERIFY(chosen);
        QCOMPARE(chosen->digest, fakeDigest(QChar(u'0' + expected)));
        QCOMPARE(chosen->size, 100);
    }

    void prefersNoVariantWhenNoneAsked()
    {
        const QJsonObject index =
            indexOf({{QStringLiteral("linux"), QStringLiteral("arm"), QStringLiteral("v7")},
                     {QStringLiteral("linux"), QStringLiteral("arm")}});
        QCOMPARE(choosePlatform(index, QStringLiteral("linux/arm"))->digest, fakeDigest(u'1'));
    }

    void platformOfASingleImage()
    {
        QVERIFY(platformMatches(QStringLiteral("linux/amd64"), QStringLiteral("linux"),
                                QStringLiteral("amd64"), {}));
        QVERIFY(!platformMatches(QStringLiteral("linux/arm64"), QStringLiteral("linux"),
                                 QStringLiteral("amd64"), {}));
        QVERIFY(!platformMatches(QStringLiteral("windows/amd64"), QStringLiteral("linux"),
                                 QStringLiteral("amd64"), {}));
        QVERIFY(platformMatches(QStringLiteral("linux/arm64/v8"), QStringLiteral("linux"),
                                QStringLiteral("arm64"), {}));
        QVERIFY(platformMatches(QStringLiteral("linux/arm"), QStringLiteral("linux"), QStringLiteral("arm"),
                                QStringLiteral("v7")));
        QVERIFY(!platformMatches(QStringLiteral("linux/arm/v6"), QStringLiteral("linux"),
                                 QStringLiteral("arm"), QStringLiteral("v7")));
    }

    void mediaTypes()
    {
        QVERIFY(isIndexMediaType(indexMediaType()));
        QVERIFY(
            isIndexMediaType(QStringLiteral("application/vnd.docker.distribution.manifest.list.v2+json")));
        QVERIFY(!isIndexMediaType(manifestMediaType()));
        QVERIFY(isManifestMediaType(QStringLiteral("application/vnd.docker.distribution.manifest.v2+json")));
        QCOMPARE(ociLayerMediaType(QStringLiteral("application/vnd.docker.image.rootfs.diff.tar.gzip")),
                 QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"));
        QCOMPARE(ociLayerMediaType(QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd")),
                 QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd"));
    }
};

QTEST_GUILESS_MAIN(TestImageIndex)
#include "tst_imageindex.moc"
