// Pushing to the real docker-registry of the test harness, checked by an independent reader
// (skopeo): anonymous over plain HTTP on loopback, and TLS with a test CA plus Basic auth.

#include "build/imagebuilder.h"
#include "clirun.h"
#include "events/event.h"
#include "gitrepo.h"
#include "oci/layoutreader.h"
#include "oci/ocilayout.h"
#include "processes.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "registryserver.h"
#include "store/contentstore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::GitRepo;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::runTool;

namespace {

// A Docker config.json with a Basic login for one registry.
QByteArray dockerConfig(const QString &registry, const QString &user, const QString &password)
{
    const QString auth = QString::fromLatin1(QString(user + u':' + password).toUtf8().toBase64());
    return QJsonDocument(QJsonObject{{QStringLiteral("auths"),
                                      QJsonObject{{registry, QJsonObject{{QStringLiteral("auth"), auth}}}}}})
        .toJson();
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
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
                          dockerConfig(registry.address(), registry.username(), wrongPassword)));
        const CliRun refused = runCli(
            arguments, {QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("wrong")), authFile});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(registry.address()), qPrintable(refused.err));
        QVERIFY2(!refused.err.contains(wrongPassword), qPrintable(refused.err));
        QCOMPARE(refused.err.trimmed().count(u'\n'), 0);

        QVERIFY(writeFile(work.filePath(QStringLiteral("right/config.json")),
                          dockerConfig(registry.address(), registry.username(), registry.password())));
        const CliRun run = runCli(
            arguments, {QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("right")), authFile});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("pushed")).toString(), reference);
        QCOMPARE(json.value(QStringLiteral("digest")).toString(),
                 json.value(QStringLiteral("manifestDigest")).toString());
        QVERIFY(!json.value(QStringLiteral("blobs")).toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPush)
#include "tst_push.moc"
