// login / logout: logins saved in Slipway, kept in the system keychain (SavedCredentials).

#include "commands.h"
#include "output.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "registry/savedcredentials.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace slipway::cli {
namespace {

int listLogins(const Invocation &invocation, CommandContext &context)
{
    if (!invocation.arguments.isEmpty())
        return reportError(context, invocation.command,
                           Error::badInput(QStringLiteral("--list takes no REGISTRY")));
    const Result<QStringList> registries = SavedCredentials::forDataDir(invocation.dataDir).registries();
    if (!registries)
        return reportError(context, invocation.command, registries.error());
    if (invocation.json) {
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("registries"),
                                                  QJsonArray::fromStringList(registries.value())}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    } else {
        for (const QString &registry : registries.value())
            context.out << registry << Qt::endl;
    }
    return 0;
}

} // namespace

int runLogin(const Invocation &invocation, CommandContext &context)
{
    const QString &command = invocation.command;
    // Never the value: it is the secret the user should not have typed.
    if (invocation.isSet(QStringLiteral("password")))
        return reportError(context, command,
                           Error::badInput(QStringLiteral(
                               "--password is not accepted: a password on the command line shows in ps and "
                               "the shell history; pipe it in with --password-stdin")));
    if (invocation.isSet(QStringLiteral("list")))
        return listLogins(invocation, context);
    if (invocation.arguments.isEmpty())
        return reportError(context, command, Error::badInput(QStringLiteral("missing REGISTRY (or --list)")));
    const QString registry = registryFromUserInput(invocation.arguments.constFirst());
    if (registry.isEmpty())
        return reportError(context, command,
                           Error::badInput(QStringLiteral("'%1' is not a registry (host[:port])")
                                               .arg(invocation.arguments.constFirst())));
    Credential credential;
    credential.username = invocation.value(QStringLiteral("username"));
    if (credential.username.isEmpty())
        return reportError(
            context, command,
            Error::badInput(
                QStringLiteral("--username USER is required to log in to registry %1").arg(registry)));
    if (!invocation.isSet(QStringLiteral("password-stdin")))
        return reportError(
            context, command,
            Error::badInput(QStringLiteral("--password-stdin is required to log in to registry %1 "
                                           "(e.g. 'cat pw.txt | slipway-cli login %1 ...')")
                                .arg(registry)));
    Result<QString> password = readSecretInput(QStringLiteral("the password for registry %1").arg(registry),
                                               QStringLiteral("Password for %1: ").arg(registry));
    if (!password)
        return reportError(context, command, password.error());
    credential.secret = password.value();

    if (!invocation.isSet(QStringLiteral("no-verify"))) {
        if (Status checked = checkLogin(registry, credential, invocation.dataDir, context.stop); !checked)
            return reportError(context, command, checked.error());
    }
    if (context.stop.stop_requested())
        return reportError(context, command, Error::cancelled(QStringLiteral("cancelled, nothing saved")));

    SavedCredentials saved = SavedCredentials::forDataDir(invocation.dataDir);
    if (Status stored = saved.save(registry, credential, context.stop); !stored)
        return reportError(context, command, stored.error());
    if (invocation.json)
        context.out
            << QJsonDocument(QJsonObject{{QStringLiteral("saved"), registry}}).toJson(QJsonDocument::Compact)
            << Qt::endl;
    else
        context.out << "Login for " << registry << " saved in the system keychain." << Qt::endl;
    return 0;
}

int runLogout(const Invocation &invocation, CommandContext &context)
{
    const QString registry = registryFromUserInput(invocation.arguments.constFirst());
    if (registry.isEmpty())
        return reportError(context, invocation.command,
                           Error::badInput(QStringLiteral("'%1' is not a registry (host[:port])")
                                               .arg(invocation.arguments.constFirst())));
    if (Status removed = SavedCredentials::forDataDir(invocation.dataDir).remove(registry, context.stop);
        !removed)
        return reportError(context, invocation.command, removed.error());
    if (invocation.json)
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("removed"), registry}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    else
        context.out << "Removed the saved login for " << registry << '.' << Qt::endl;
    return 0;
}

} // namespace slipway::cli
