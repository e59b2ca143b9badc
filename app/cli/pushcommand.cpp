// slipway-cli push --oci-layout DIR[:TAG] REF, and the push step of build --push.

#include "commands.h"
#include "output.h"

#include "events/event.h"
#include "oci/layoutreader.h"
#include "oci/ocilayout.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace slipway::cli {

namespace {

// certs.d/<host:port>/ca.crt: Slipway's own (under its config dir), then Docker's and Podman's.
QString caFileFor(const QString &registry, const QString &dataDir)
{
    const QStringList roots{QDir(DataDirs::resolve(dataDir).config).filePath(QStringLiteral("certs.d")),
                            QStringLiteral("/etc/docker/certs.d"), QStringLiteral("/etc/containers/certs.d")};
    for (const QString &root : roots) {
        const QString candidate = root + u'/' + registry + QStringLiteral("/ca.crt");
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return {};
}

} // namespace

Result<PushResult> pushToRegistry(const BlobSource &blobs, const QString &manifestDigest,
                                  const QString &reference, const QString &dataDir, EventSink *events,
                                  std::stop_token stop)
{
    auto destination = ImageReference::parse(reference);
    if (!destination)
        return destination.error();
    auto credential = CredentialStore::fromEnvironment().find(destination->registry);
    if (!credential)
        return credential.error();
    RegistryClient client(destination->registry, credential.value(),
                          caFileFor(destination->registry, dataDir));
    return pushImage(blobs, manifestDigest, destination.value(), client, events, std::move(stop));
}

QJsonObject pushJson(const PushResult &pushed)
{
    QJsonArray blobs;
    for (const PushedBlob &blob : pushed.blobs)
        blobs.append(QJsonObject{{QStringLiteral("digest"), blob.digest},
                                 {QStringLiteral("size"), blob.size},
                                 {QStringLiteral("action"), blob.action}});
    return QJsonObject{{QStringLiteral("pushed"), pushed.reference},
                       {QStringLiteral("digest"), pushed.digest},
                       {QStringLiteral("blobs"), blobs}};
}

void printPush(QTextStream &out, const PushResult &pushed)
{
    for (const PushedBlob &blob : pushed.blobs)
        out << blob.action.leftJustified(9) << humanSize(blob.size).rightJustified(10) << "  " << blob.digest
            << '\n';
    out << "pushed    " << pushed.reference << '\n';
    out << "digest    " << pushed.digest << Qt::endl;
}

int runPush(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    auto layout = oci::LayoutReference::parse(invocation.value(QStringLiteral("oci-layout")));
    if (!layout)
        return reportError(context.err, command, layout.error());
    auto image = oci::resolveLayout(layout.value());
    if (!image)
        return reportError(context.err, command, image.error());
    const QString directory = image->directory;
    NullEventSink quiet;
    auto pushed = pushToRegistry(
        [directory](const QString &digest) { return oci::layoutBlobPath(directory, digest); },
        image->manifestDigest, invocation.arguments.constFirst(), invocation.dataDir, &quiet, context.stop);
    if (!pushed)
        return reportError(context.err, command, pushed.error());
    if (invocation.json)
        context.out << QJsonDocument(pushJson(pushed.value())).toJson(QJsonDocument::Compact) << Qt::endl;
    else
        printPush(context.out, pushed.value());
    return 0;
}

} // namespace slipway::cli
