// Pushing to the real docker-registry of the test harness, checked by an independent reader
// (skopeo): anonymous over plain HTTP on loopback, and TLS with a test CA plus Basic auth.

#include "clirun.h"
#include "eventrecorder.h"
#include "events/event.h"
#include "gitrepo.h"
#include "imagebuilder/imagebuilder.h"
#include "oci/layoutreader.h"
#include "oci/ocilayout.h"
#include "processes.h"
#include "pushtestimage.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "registryserver.h"
#include "store/contentstore.h"
#include "testfiles.h"
#include "util/sha256.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <signal.h>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::dockerConfigJson;
using slipway::test::EventRecorder;
using slipway::test::GitRepo;
using slipway::test::PushTestImage;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::runTool;
using slipway::test::writeFile;

namespace {

// The states one blob went through, in the order they were posted.
QList<BlobState> statesOf(const EventRecorder &events, const QString &digest)
{
    QList<BlobState> states;
    for (const BlobEvent &event : events.eventsOf<BlobEvent>())
        if (event.digest == digest)
            states.append(event.state);
    return states;
}

Result<PushResult> pushTestImage(const PushTestImage &image, RegistryClient &client, const QString &reference,
                                 EventSink *events = nullptr, const PushOptions &options = {})
{
    auto destination = ImageReference::parse(reference);
    if (!destination)
        return destination.error();
    return pushImage([image](const QString &digest) { return image.blobPath(digest); }, image.manifestDigest,
                     destination.value(), client, events, {}, options);
}

QHash<QString, QString> actionsOf(const PushResult &pushed)
{
    QHash<QString, QString> actions;
    for (const PushedBlob &blob : pushed.blobs)
        actions.insert(blob.digest, blob.action);
    return actions;
}

} // namespace

class TestPush final : public QObject
{
    Q_OBJECT

private:
    GitRepo m_repo;
    QTemporaryDir m_data;
    std::unique_ptr<ContentStore> m_store;
    QString m_manifestDigest;
    QStringList m_blobDigests;
    qint64 m_manifestSize = 0;

    Result<PushResult> push(RegistryClient &client, const QString &reference)
    {
        auto destination = ImageReference::parse(reference);
        if (!destination)
            return destination.error();
        const ContentStore *store = m_store.get();
        return pushImage([store](const QString &digest) { return store->blobPath(digest); }, m_manifestDigest,
                         destination.value(), client, nullptr, {});
    }

    // The manifest digest skopeo sees for docker://reference, empty on failure.
    static QString skopeoDigest(const QString &reference, const QStringList &options)
    {
        QString output;
        const int exitCode = runTool(QStringLiteral("skopeo"),
                                     QStringList{QStringLiteral("inspect")} + options +
                                         QStringList{QStringLiteral("docker://") + reference},
                                     &output);
        if (exitCode != 0) {
            qWarning().noquote() << "skopeo:" << output;
            return {};
        }
        return QJsonDocument::fromJson(output.toUtf8()).object().value(QStringLiteral("Digest")).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_repo.isValid());
        QVERIFY(m_data.isValid());
        QVERIFY(m_repo.writeFile(QStringLiteral("slipway.toml"), "[image]\n"
                                                                 "entrypoint = [\"/app/run\"]\n"
                                                                 "[[layers]]\n"
                                                                 "name = \"deps\"\n"
                                                                 "include = [\"deps/**\"]\n"
                                                                 "[[layers]]\n"
                                                                 "name = \"app\"\n"
                                                                 "include = [\"**\"]\n"));
        for (int i = 0; i < 20; ++i)
            QVERIFY(m_repo.writeFile(QStringLiteral("deps/lib%1.txt").arg(i),
                                     QByteArray(3000 + i, char('a' + i))));
        QVERIFY(m_repo.writeFile(QStringLiteral("app/run"), "#!/bin/sh\necho hello\n", true));
        QVERIFY(!m_repo.commit(QStringLiteral("app")).isEmpty());

        BuildRequest request;
        request.source.location = m_repo.path();
        request.source.cacheDir = m_data.filePath(QStringLiteral("cache"));
        request.sourceDateEpoch = 1700000000;
        auto built = buildImage(request);
        QVERIFY2(built.ok(), built.ok() ? "" : qPrintable(built.error().message));
        m_manifestDigest = built->manifestDigest;
        m_manifestSize = built->manifestSize;
        m_blobDigests.append(built->configDigest);
        for (const BuiltLayer &layer : built->layers)
            m_blobDigests.append(layer.blob.digest);
        m_store = std::make_unique<ContentStore>(m_data.filePath(QStringLiteral("cache/blobs")));
    }

    void pushesOverPlainHttpAndSkipsWhatExists()
    {
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        RegistryClient client(registry.address());
        QVERIFY(client.ping().ok());

        const QString reference = registry.address() + QStringLiteral("/team/app:v1");
        auto first = push(client, reference);
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QCOMPARE(first->digest, m_manifestDigest);
        QCOMPARE(first->reference, reference);
        QCOMPARE(first->blobs.size(), m_blobDigests.size());
        for (const PushedBlob &blob : first->blobs)
            QCOMPARE(blob.action, QStringLiteral("uploaded"));

        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), m_manifestDigest);
        // Addressable by digest as well.
        QCOMPARE(skopeoDigest(registry.address() + QStringLiteral("/team/app@") + m_manifestDigest,
                              {QStringLiteral("--tls-verify=false")}),
                 m_manifestDigest);

        RegistryClient again(registry.address());
        auto second = push(again, reference);
        QVERIFY2(second.ok(), second.ok() ? "" : qPrintable(second.error().message));
        QCOMPARE(second->blobs.size(), m_blobDigests.size());
        for (const PushedBlob &blob : second->blobs)
            QCOMPARE(blob.action, QStringLiteral("skipped"));
        QCOMPARE(second->digest, m_manifestDigest);
    }

    void pushesFromAnOciLayout()
    {
        QTemporaryDir work;
        const auto layout =
            oci::LayoutReference::parse(work.filePath(QStringLiteral("image")) + QStringLiteral(":v2"));
        QVERIFY(layout.ok());
        QVERIFY(
            oci::writeLayout(layout.value(), *m_store, m_manifestDigest, m_manifestSize, m_blobDigests).ok());
        auto image = oci::resolveLayout(layout.value());
        QVERIFY2(image.ok(), image.ok() ? "" : qPrintable(image.error().message));
        QCOMPARE(image->manifestDigest, m_manifestDigest);

        auto missing = oci::resolveLayout({layout->directory, QStringLiteral("nope")});
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.contains(QStringLiteral("v2")), qPrintable(missing.error().message));

        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        RegistryClient client(registry.address());
        auto destination = ImageReference::parse(registry.address() + QStringLiteral("/from/layout:v2"));
        QVERIFY(destination.ok());
        const QString directory = layout->directory;
        EventQueue events;
        auto pushed =
            pushImage([directory](const QString &digest) { return oci::layoutBlobPath(directory, digest); },
                      image->manifestDigest, destination.value(), client, &events, {});
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        QCOMPARE(skopeoDigest(destination->toString(), {QStringLiteral("--tls-verify=false")}),
                 m_manifestDigest);
        QVERIFY(!events.drain().isEmpty());
    }

    void pushesOverTlsWithBasicAuth()
    {
        RegistryServer registry(RegistryServer::Mode::TlsWithBasicAuth);
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QString reference = registry.address() + QStringLiteral("/secure/app:v1");

        RegistryClient client(registry.address(), Credential{registry.username(), registry.password(), false},
                              registry.caCertificatePath(), false);
        auto pushed = push(client, reference);
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        // skopeo's --cert-dir takes *.key files for client certificates: give it the CA alone.
        QTemporaryDir certs;
        QVERIFY(QFile::copy(registry.caCertificatePath(), certs.filePath(QStringLiteral("ca.crt"))));
        QCOMPARE(
            skopeoDigest(reference, {QStringLiteral("--cert-dir"), certs.path(), QStringLiteral("--creds"),
                                     registry.username() + u':' + registry.password()}),
            m_manifestDigest);

        const QString wrongPassword = QStringLiteral("not-the-Password-42");
        RegistryClient wrong(registry.address(), Credential{registry.username(), wrongPassword, false},
                             registry.caCertificatePath(), false);
        auto refused = push(wrong, reference);
        QVERIFY(!refused.ok());
        const QString message = refused.error().message;
        QVERIFY2(message.contains(registry.address()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("secure/app")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("401")), qPrintable(message));
        QVERIFY2(!message.contains(wrongPassword), qPrintable(message));
        QVERIFY2(!message.contains(registry.password()), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));

        // Without the CA, TLS verification refuses the registry's certificate, also when plain
        // HTTP would be allowed (the client must not fall back to it for a TLS registry).
        RegistryClient loopback(registry.address());
        const Status pinged = loopback.ping();
        QVERIFY(!pinged.ok());
        QVERIFY2(pinged.error().message.contains(QStringLiteral("certificate")),
                 qPrintable(pinged.error().message));
        RegistryClient untrusted(registry.address(),
                                 Credential{registry.username(), registry.password(), false}, {}, false);
        auto unverified = push(untrusted, reference);
        QVERIFY(!unverified.ok());
        QVERIFY2(unverified.error().message.contains(registry.address()),
                 qPrintable(unverified.error().message));
    }

    void unreachableRegistryIsAOneLineError()
    {
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QString address = registry.address();
        registry.stop();

        RegistryClient client(address);
        auto pushed = push(client, address + QStringLiteral("/gone/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(message.contains(address), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("gone/app")), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
    }

    void registryErrorsAreNamedInOneLine()
    {
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        RegistryClient client(registry.address());
        // A manifest whose blobs the registry does not have: it answers with its JSON error.
        const QByteArray manifest = m_store->read(m_manifestDigest).value();
        auto put = client.putManifest(QStringLiteral("empty/app"), QStringLiteral("v1"),
                                      QStringLiteral("application/vnd.oci.image.manifest.v1+json"), manifest);
        QVERIFY(!put.ok());
        const QString message = put.error().message;
        QVERIFY2(message.contains(registry.address()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("empty/app")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("HTTP 400")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("MANIFEST_BLOB_UNKNOWN")), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
    }

    void cliPushesAnOciLayout()
    {
        QTemporaryDir work;
        const QString layoutDir = work.filePath(QStringLiteral("image"));
        QVERIFY(oci::writeLayout({layoutDir, QStringLiteral("v3")}, *m_store, m_manifestDigest,
                                 m_manifestSize, m_blobDigests)
                    .ok());
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QStringList environment{
            QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("docker")),
            QStringLiteral("REGISTRY_AUTH_FILE=") + work.filePath(QStringLiteral("none.json"))};
        const QString reference = registry.address() + QStringLiteral("/cli/app:v3");
        const QStringList arguments{QStringLiteral("--data-dir"),
                                    work.filePath(QStringLiteral("data")),
                                    QStringLiteral("--json"),
                                    QStringLiteral("push"),
                                    QStringLiteral("--oci-layout"),
                                    layoutDir + QStringLiteral(":v3"),
                                    reference};
        for (const QString &expected : {QStringLiteral("uploaded"), QStringLiteral("skipped")}) {
            const CliRun run = runCli(arguments, environment);
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            const QJsonObject json = QJsonDocument::fromJson(run.out).object();
            QCOMPARE(json.value(QStringLiteral("pushed")).toString(), reference);
            QCOMPARE(json.value(QStringLiteral("digest")).toString(), m_manifestDigest);
            const QJsonArray blobs = json.value(QStringLiteral("blobs")).toArray();
            QCOMPARE(blobs.size(), m_blobDigests.size());
            for (const QJsonValue &blob : blobs) {
                QCOMPARE(blob[QStringLiteral("action")].toString(), expected);
                QVERIFY(m_blobDigests.contains(blob[QStringLiteral("digest")].toString()));
                QVERIFY(blob[QStringLiteral("size")].toInteger() > 0);
            }
        }
        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), m_manifestDigest);

        // A layout without that tag is bad input (exit 2), named.
        const CliRun missing = runCli({QStringLiteral("push"), QStringLiteral("--oci-layout"),
                                       layoutDir + QStringLiteral(":nope"), reference},
                                      environment);
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains(QStringLiteral("nope")), qPrintable(missing.err));
    }

    // A two-platform layout (its tag names an index) goes up whole: the platform manifests by
    // digest, the index by tag, each shared blob once.
    void cliPushesATwoPlatformLayout()
    {
        QTemporaryDir work;
        const QString app = work.filePath(QStringLiteral("app"));
        QVERIFY(writeFile(app + QStringLiteral("/slipway.toml"),
                          "[image]\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\n"
                          "entrypoint = [\"/app/run\"]\n"
                          "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n"));
        QVERIFY(writeFile(app + QStringLiteral("/app/run"), "#!/bin/sh\necho multi\n"));
        const QString layoutDir = work.filePath(QStringLiteral("layout"));
        const QString data = work.filePath(QStringLiteral("data"));
        const QStringList environment{
            QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("docker")),
            QStringLiteral("REGISTRY_AUTH_FILE=") + work.filePath(QStringLiteral("none.json"))};
        const CliRun built =
            runCli({QStringLiteral("--data-dir"), data, QStringLiteral("--json"), QStringLiteral("build"),
                    app, QStringLiteral("--oci-layout"), layoutDir + QStringLiteral(":multi")},
                   environment);
        QVERIFY2(built.exitCode == 0, qPrintable(built.err));
        const QString indexDigest =
            QJsonDocument::fromJson(built.out).object().value(QStringLiteral("manifestDigest")).toString();
        QVERIFY(!indexDigest.isEmpty());

        // What the layout holds: the index, its two manifests, their configs and layers.
        QFile indexFile(oci::layoutBlobPath(layoutDir, indexDigest));
        QVERIFY(indexFile.open(QIODevice::ReadOnly));
        const QJsonArray entries = QJsonDocument::fromJson(indexFile.readAll())
                                       .object()
                                       .value(QStringLiteral("manifests"))
                                       .toArray();
        QCOMPARE(entries.size(), 2);
        QSet<QString> blobDigests;
        QStringList manifestDigests;
        QStringList configDigests;
        for (const QJsonValue &entry : entries) {
            const QString digest = entry[QStringLiteral("digest")].toString();
            manifestDigests.append(digest);
            QFile manifestFile(oci::layoutBlobPath(layoutDir, digest));
            QVERIFY(manifestFile.open(QIODevice::ReadOnly));
            const QJsonObject manifest = QJsonDocument::fromJson(manifestFile.readAll()).object();
            configDigests.append(
                manifest.value(QStringLiteral("config"))[QStringLiteral("digest")].toString());
            blobDigests.insert(configDigests.constLast());
            for (const QJsonValue &layer : manifest.value(QStringLiteral("layers")).toArray())
                blobDigests.insert(layer[QStringLiteral("digest")].toString());
        }
        // Two configs (the architecture differs), one layer both platforms share.
        QCOMPARE(blobDigests.size(), 3);

        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QString reference = registry.address() + QStringLiteral("/cli/multi:v1");
        const CliRun run =
            runCli({QStringLiteral("--data-dir"), data, QStringLiteral("--json"), QStringLiteral("push"),
                    QStringLiteral("--oci-layout"), layoutDir + QStringLiteral(":multi"), reference},
                   environment);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("pushed")).toString(), reference);
        QCOMPARE(json.value(QStringLiteral("digest")).toString(), indexDigest);
        QSet<QString> pushedDigests;
        const QJsonArray blobs = json.value(QStringLiteral("blobs")).toArray();
        for (const QJsonValue &blob : blobs) {
            QCOMPARE(blob[QStringLiteral("action")].toString(), QStringLiteral("uploaded"));
            pushedDigests.insert(blob[QStringLiteral("digest")].toString());
        }
        QCOMPARE(blobs.size(), 3); // each blob once
        QCOMPARE(pushedDigests, blobDigests);

        // skopeo reads the index we printed, and resolves arm64 through it to the arm64 manifest.
        QString raw;
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                          QStringLiteral("--raw"), QStringLiteral("docker://") + reference},
                         &raw),
                 0);
        QCOMPARE(Sha256::digestOf(raw.toUtf8()), indexDigest);
        QCOMPARE(QJsonDocument::fromJson(raw.toUtf8()).object().value(QStringLiteral("mediaType")).toString(),
                 QStringLiteral("application/vnd.oci.image.index.v1+json"));
        QString arm;
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                          QStringLiteral("--override-arch"), QStringLiteral("arm64"),
                          QStringLiteral("docker://") + reference},
                         &arm),
                 0);
        const QJsonObject armImage = QJsonDocument::fromJson(arm.toUtf8()).object();
        QCOMPARE(armImage.value(QStringLiteral("Architecture")).toString(), QStringLiteral("arm64"));
        // skopeo's Digest is the index's; the arm64 child's own config is what it read.
        QCOMPARE(armImage.value(QStringLiteral("Digest")).toString(), indexDigest);
        QString armConfig;
        QCOMPARE(
            runTool(QStringLiteral("skopeo"),
                    {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                     QStringLiteral("--override-arch"), QStringLiteral("arm64"), QStringLiteral("--config"),
                     QStringLiteral("--raw"), QStringLiteral("docker://") + reference},
                    &armConfig),
            0);
        QCOMPARE(Sha256::digestOf(armConfig.toUtf8()), configDigests.at(1));
        QCOMPARE(skopeoDigest(registry.address() + QStringLiteral("/cli/multi@") + manifestDigests.at(0),
                              {QStringLiteral("--tls-verify=false")}),
                 manifestDigests.at(0));

        // Again, in human form: every blob is skipped, and the index digest printed.
        const CliRun again =
            runCli({QStringLiteral("--data-dir"), data, QStringLiteral("push"),
                    QStringLiteral("--oci-layout"), layoutDir + QStringLiteral(":multi"), reference},
                   environment);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        const QString text = QString::fromUtf8(again.out);
        QCOMPARE(text.count(QStringLiteral("skipped")), 3);
        QVERIFY2(text.contains(QStringLiteral("digest    ") + indexDigest), qPrintable(text));

        // A layout missing one platform's manifest is refused before anything is sent: one line
        // naming that manifest, and no index in the registry.
        QVERIFY(QFile::remove(oci::layoutBlobPath(layoutDir, manifestDigests.at(1))));
        const QString other = registry.address() + QStringLiteral("/cli/partial:v1");
        const CliRun partial =
            runCli({QStringLiteral("--data-dir"), data, QStringLiteral("push"),
                    QStringLiteral("--oci-layout"), layoutDir + QStringLiteral(":multi"), other},
                   environment);
        QVERIFY(partial.exitCode != 0);
        QVERIFY2(partial.err.contains(manifestDigests.at(1)), qPrintable(partial.err));
        QCOMPARE(partial.errors().size(), 1);
        QVERIFY(skopeoDigest(other, {QStringLiteral("--tls-verify=false")}).isEmpty());
    }

    void cliUsesDockerConfigAndCertsD()
    {
        RegistryServer registry(RegistryServer::Mode::TlsWithBasicAuth);
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        QTemporaryDir work;
        const QString data = work.filePath(QStringLiteral("data"));
        QFile ca(registry.caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(data + QStringLiteral("/certs.d/") + registry.address() + QStringLiteral("/ca.crt"),
                          ca.readAll()));
        const QString reference = registry.address() + QStringLiteral("/cli/built:v1");
        const QStringList arguments{QStringLiteral("--data-dir"),
                                    data,
                                    QStringLiteral("--json"),
                                    QStringLiteral("build"),
                                    m_repo.path(),
                                    QStringLiteral("--push"),
                                    reference};
        const QString authFile =
            QStringLiteral("REGISTRY_AUTH_FILE=") + work.filePath(QStringLiteral("none.json"));

        const QString wrongPassword = QStringLiteral("Wrong-Secret-77");
        QVERIFY(writeFile(work.filePath(QStringLiteral("wrong/config.json")),
                          dockerConfigJson(registry.address(), registry.username(), wrongPassword)));
        const CliRun refused = runCli(
            arguments, {QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("wrong")), authFile});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(registry.address()), qPrintable(refused.err));
        QVERIFY2(!refused.err.contains(wrongPassword), qPrintable(refused.err));
        QCOMPARE(refused.errors().size(), 1);

        QVERIFY(writeFile(work.filePath(QStringLiteral("right/config.json")),
                          dockerConfigJson(registry.address(), registry.username(), registry.password())));
        const CliRun run = runCli(
            arguments, {QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("right")), authFile});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("pushed")).toString(), reference);
        QCOMPARE(json.value(QStringLiteral("digest")).toString(),
                 json.value(QStringLiteral("manifestDigest")).toString());
        QVERIFY(!json.value(QStringLiteral("blobs")).toArray().isEmpty());
    }

    void parallelPushPostsBlobEvents()
    {
        QTemporaryDir work;
        const PushTestImage image = test::makePushTestImage(
            work.filePath(QStringLiteral("image")), {30000, 70000, 250000, 1200000, 9000, 400000, 64000}, 11);
        QVERIFY(!image.manifestDigest.isEmpty());
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QString reference = registry.address() + QStringLiteral("/team/many:v1");

        EventRecorder events;
        RegistryClient client(registry.address());
        PushOptions options;
        options.parallel = 3;
        auto pushed = pushTestImage(image, client, reference, &events, options);
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), image.manifestDigest);
        // In manifest order, config first, whatever order the workers finished in.
        QStringList order;
        for (const PushedBlob &blob : std::as_const(pushed->blobs)) {
            order.append(blob.digest);
            QCOMPARE(blob.action, QStringLiteral("uploaded"));
            const QList<BlobState> states = statesOf(events, blob.digest);
            QVERIFY(states.size() >= 3);
            QCOMPARE(states.constFirst(), BlobState::Queued);
            QCOMPARE(states.at(1), BlobState::Uploading);
            QCOMPARE(states.constLast(), BlobState::Uploaded);
        }
        QCOMPARE(order, image.blobDigests());

        EventRecorder again;
        RegistryClient second(registry.address());
        auto skipped = pushTestImage(image, second, reference, &again, options);
        QVERIFY2(skipped.ok(), skipped.ok() ? "" : qPrintable(skipped.error().message));
        for (const PushedBlob &blob : std::as_const(skipped->blobs)) {
            QCOMPARE(blob.action, QStringLiteral("skipped"));
            QCOMPARE(statesOf(again, blob.digest), (QList<BlobState>{BlobState::Queued, BlobState::Skipped}));
        }
    }

    void largeBlobsGoInChunks()
    {
        QTemporaryDir work;
        // Not a multiple of the chunk size, so the last chunk is short.
        const PushTestImage image = test::makePushTestImage(work.filePath(QStringLiteral("image")),
                                                            {3 * 1024 * 1024 + 4100, 5000}, 12);
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        RegistryClient client(registry.address());
        RegistryClient::Settings settings;
        settings.chunkedThreshold = 1024 * 1024;
        settings.chunkSize = 512 * 1024;
        client.setSettings(settings);
        EventRecorder events;
        const QString reference = registry.address() + QStringLiteral("/team/chunked:v1");
        auto pushed = pushTestImage(image, client, reference, &events);
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), image.manifestDigest);
        // The registry checked the digest of what the chunks added up to; skopeo can read it back.
        QTemporaryDir copy;
        QString output;
        QVERIFY2(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("copy"), QStringLiteral("--src-tls-verify=false"),
                          QStringLiteral("docker://") + reference,
                          QStringLiteral("dir:") + copy.filePath(QStringLiteral("out"))},
                         &output) == 0,
                 qPrintable(output));
        const QString copied =
            copy.filePath(QStringLiteral("out/") + image.layerDigests.constFirst().section(u':', 1));
        QVERIFY2(QFileInfo(copied).size() == image.layerSizes.constFirst(),
                 qPrintable(QDir(copy.filePath(QStringLiteral("out"))).entryList().join(u' ')));
        // Progress went past the first chunk, up to the whole blob.
        qint64 most = 0;
        for (const BlobEvent &event : events.eventsOf<BlobEvent>())
            if (event.digest == image.layerDigests.constFirst() && event.state == BlobState::Uploading)
                most = qMax(most, event.bytesDone);
        QVERIFY2(most > settings.chunkSize, qPrintable(QString::number(most)));
    }

    void mountsFromAnotherRepository()
    {
        QTemporaryDir work;
        const PushTestImage image =
            test::makePushTestImage(work.filePath(QStringLiteral("image")), {20000, 30000}, 13);
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        RegistryClient client(registry.address());
        auto base = pushTestImage(image, client, registry.address() + QStringLiteral("/base/os:v1"));
        QVERIFY2(base.ok(), base.ok() ? "" : qPrintable(base.error().message));

        PushOptions options;
        for (const QString &digest : image.layerDigests)
            options.mountFrom.insert(digest, QStringLiteral("base/os"));
        // The config is not in the repository it is said to be in: the registry opens an upload
        // instead (202), which the push then uses.
        options.mountFrom.insert(image.configDigest, QStringLiteral("elsewhere/none"));
        EventRecorder events;
        const QString reference = registry.address() + QStringLiteral("/team/onbase:v1");
        auto pushed = pushTestImage(image, client, reference, &events, options);
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        const QHash<QString, QString> actions = actionsOf(pushed.value());
        QCOMPARE(actions.value(image.configDigest), QStringLiteral("uploaded"));
        for (const QString &digest : image.layerDigests) {
            QCOMPARE(actions.value(digest), QStringLiteral("mounted"));
            QCOMPARE(statesOf(events, digest).constLast(), BlobState::Mounted);
        }
        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), image.manifestDigest);
    }

    void registryKilledMidPushThenOnlyTheRestIsUploaded()
    {
        QTemporaryDir work;
        const qint64 large = 48 * 1024 * 1024;
        const PushTestImage image = test::makePushTestImage(work.filePath(QStringLiteral("image")),
                                                            {64000, 96000, 128000, large}, 14);
        QVERIFY(!image.manifestDigest.isEmpty());
        const QString largeDigest = image.layerDigests.constLast();
        const QString storage = work.filePath(QStringLiteral("storage"));
        const quint16 port = test::freeLoopbackPort();

        auto first = std::make_unique<RegistryServer>();
        first->setStoragePath(storage);
        first->setPort(port);
        QVERIFY2(first->start(), qPrintable(first->errorString()));
        const QString reference = first->address() + QStringLiteral("/team/killed:v1");

        // SIGKILL the registry as soon as the large blob is on its way; remember what was done.
        QMutex mutex;
        QStringList doneBeforeKill;
        bool killed = false;
        EventRecorder events;
        const qint64 pid = first->processId();
        events.onEvent = [&](const Event &posted) {
            const auto *blob = std::get_if<BlobEvent>(&posted);
            if (!blob)
                return;
            const BlobEvent &event = *blob;
            const QMutexLocker lock(&mutex);
            if (killed)
                return;
            if (event.state == BlobState::Uploaded)
                doneBeforeKill.append(event.digest);
            if (event.digest == largeDigest && event.state == BlobState::Uploading && event.bytesDone > 0 &&
                event.bytesDone < large) {
                ::kill(pid_t(pid), SIGKILL);
                killed = true;
            }
        };
        RegistryClient client(first->address());
        RegistryClient::Settings settings;
        settings.retryDelays = {std::chrono::milliseconds(10), std::chrono::milliseconds(20)};
        client.setSettings(settings);
        auto interrupted = pushTestImage(image, client, reference, &events);
        QVERIFY(killed);
        QVERIFY(!interrupted.ok());
        const QString message = interrupted.error().message;
        QVERIFY2(!message.contains(u'\n'), qPrintable(message));
        QVERIFY2(
            message.contains(QStringLiteral("registry %1, repository team/killed").arg(first->address())),
            qPrintable(message));
        QCOMPARE(statesOf(events, largeDigest).constLast(), BlobState::Failed);
        QVERIFY(doneBeforeKill.contains(image.configDigest));

        // The same storage, the same port: the next push uploads only what is missing.
        RegistryServer second;
        second.setStoragePath(storage);
        second.setPort(port);
        QVERIFY2(second.start(), qPrintable(second.errorString()));
        RegistryClient again(second.address());
        auto resumed = pushTestImage(image, again, reference);
        QVERIFY2(resumed.ok(), resumed.ok() ? "" : qPrintable(resumed.error().message));
        const QHash<QString, QString> actions = actionsOf(resumed.value());
        for (const QString &digest : std::as_const(doneBeforeKill))
            QCOMPARE(actions.value(digest), QStringLiteral("skipped"));
        QCOMPARE(actions.value(largeDigest), QStringLiteral("uploaded"));
        QCOMPARE(skopeoDigest(reference, {QStringLiteral("--tls-verify=false")}), image.manifestDigest);
        first.reset();
    }
};

QTEST_GUILESS_MAIN(TestPush)
#include "tst_push.moc"
