// slipway-cli push --oci-layout DIR[:TAG] REF, and the push step of build --push.

#include "commands.h"
#include "output.h"
#include "progress.h"

#include "events/event.h"
#include "oci/layoutreader.h"
#include "oci/ocilayout.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace slipway::cli {

namespace {} // namespace

QJsonObject pushJson(const PushResult &pushed)
{
    QJsonArray blobs;
    for (const PushedBlob &blob : pushed.blobs) {
        QJsonObject json{{QStringLiteral("digest"), blob.digest},
                         {QStringLiteral("size"), blob.size},
                         {QStringLiteral("action"), blob.action}};
        if (blob.resumedAt > 0)
            json.insert(QStringLiteral("resumedAt"), blob.resumedAt);
        blobs.append(json);
    }
    return QJsonObject{{QStringLiteral("pushed"), pushed.reference},
                       {QStringLiteral("digest"), pushed.digest},
                       {QStringLiteral("blobs"), blobs}};
}

void printPush(QTextStream &out, const PushResult &pushed)
{
    for (const PushedBlob &blob : pushed.blobs) {
        out << blob.action.leftJustified(9) << humanSize(blob.size).rightJustified(10) << "  " << blob.digest;
        if (blob.resumedAt > 0)
            out << "  (resumed at " << humanSize(blob.resumedAt) << ", where an earlier push left it)";
        out << '\n';
    }
    out << "pushed    " << pushed.reference << '\n';
    out << "digest    " << pushed.digest << Qt::endl;
}

int runPush(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    auto layout = oci::LayoutReference::parse(invocation.value(QStringLiteral("oci-layout")));
    if (!layout)
        return reportError(context, command, layout.error());
    auto image = oci::resolveLayout(layout.value());
    if (!image)
        return reportError(context, command, image.error());
    const QString directory = image->directory;
    TerminalProgress progress(context.err, TerminalProgress::modeFor(invocation.json || invocation.quiet));
    auto pushed =
        pushToRegistry([directory](const QString &digest) { return oci::layoutBlobPath(directory, digest); },
                       image->manifestDigest, invocation.arguments.constFirst(), invocation.dataDir,
                       &progress, context.stop);
    progress.finish(); // clears the line before the result or the error is printed
    if (!pushed)
        return reportError(context, command, pushed.error());
    if (invocation.json)
        context.out << QJsonDocument(pushJson(pushed.value())).toJson(QJsonDocument::Compact) << Qt::endl;
    else
        printPush(context.out, pushed.value());
    return 0;
}

} // namespace slipway::cli
