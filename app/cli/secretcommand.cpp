// secret set|list|rm: an app's secrets, kept in the system keychain (AppSecrets).

#include "commands.h"
#include "deploy/appsecrets.h"
#include "deploy/release.h"
#include "output.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace slipway::cli {

int runSecret(const Invocation &invocation, CommandContext &context)
{
    const QString &command = invocation.command;
    // APP with --env NAME is the environment's app, as deploy --env names it.
    const QString app =
        environmentApp(invocation.arguments.constFirst(), invocation.value(QStringLiteral("env")));
    AppSecrets secrets = AppSecrets::forDataDir(invocation.dataDir);

    if (command == u"secret list") {
        auto entries = secrets.list(app);
        if (!entries)
            return reportError(context, command, entries.error());
        if (invocation.json) {
            QJsonArray list;
            for (const SecretEntry &entry : entries.value())
                list.append(QJsonObject{{QStringLiteral("name"), entry.name},
                                        {QStringLiteral("set"), entry.set.toString(Qt::ISODate)}});
            context.out << QJsonDocument(
                               QJsonObject{{QStringLiteral("app"), app}, {QStringLiteral("secrets"), list}})
                               .toJson(QJsonDocument::Compact)
                        << Qt::endl;
            return 0;
        }
        if (entries->isEmpty()) {
            context.out << "App " << app << " has no secrets." << Qt::endl;
            return 0;
        }
        QList<QStringList> rows{{QStringLiteral("NAME"), QStringLiteral("SET")}};
        for (const SecretEntry &entry : entries.value())
            rows.append({entry.name, entry.set.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))});
        printColumns(context.out, rows);
        return 0;
    }

    const QString name = invocation.arguments.value(1);
    if (Status checked = AppSecrets::checkNames(app, name); !checked) // before stdin is read
        return reportError(context, command, checked.error());
    if (command == u"secret rm") {
        if (Status removed = secrets.remove(app, name, context.stop); !removed)
            return reportError(context, command, removed.error());
        if (invocation.json)
            context.out << QJsonDocument(
                               QJsonObject{{QStringLiteral("app"), app}, {QStringLiteral("removed"), name}})
                               .toJson(QJsonDocument::Compact)
                        << Qt::endl;
        else
            context.out << "Removed secret " << name << " of app " << app << '.' << Qt::endl;
        return 0;
    }

    // secret set: the value on standard input only, never in the arguments (ps, shell history).
    Result<QString> value = readSecretInput(QStringLiteral("the value of secret %1 of app %2").arg(name, app),
                                            QStringLiteral("Value of %1 for %2: ").arg(name, app));
    if (!value)
        return reportError(context, command, value.error());
    if (Status saved = secrets.set(app, name, value.value(), context.stop); !saved)
        return reportError(context, command, saved.error());
    if (invocation.json)
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("app"), app}, {QStringLiteral("set"), name}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    else
        context.out << "Secret " << name << " of app " << app
                    << " saved in the system keychain; the next deploy passes it to the containers."
                    << Qt::endl;
    return 0;
}

} // namespace slipway::cli
