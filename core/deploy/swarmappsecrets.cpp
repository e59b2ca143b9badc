#include "deploy/swarmappsecrets.h"

#include "deploy/rollout.h"
#include "engine/swarmsecrets.h"

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

} // namespace

QString swarmSecretName(const QString &app, const QString &name, const QString &hash)
{
    constexpr qsizetype hashDigits = 12;
    QString base = app + u'.' + name;
    base.truncate(64 - 1 - hashDigits);
    while (!base.isEmpty() && !base.back().isLetterOrNumber())
        base.chop(1);
    return base + u'.' + hash.left(hashDigits);
}

Result<QList<ServiceSecretRef>> placeSwarmSecrets(SwarmSecrets &secrets, const QString &where,
                                                  const QString &app, const QMap<QString, QString> &values,
                                                  const QMap<QString, QString> &hashes,
                                                  const std::function<void(const QString &)> &log)
{
    QList<ServiceSecretRef> refs;
    QMap<QString, QMap<QString, QString>> missing; // secret name -> labels, for the names in `values`
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const QString hash = hashes.value(it.key());
        if (hash.size() < 12)
            return Error::failed(QStringLiteral("%1: secret %2 has no keyed hash").arg(where, it.key()));
        const QString name = swarmSecretName(app, it.key(), hash);
        const QMap<QString, QString> labels{
            {label(labels::app), app}, {label(labels::secret), it.key()}, {label(labels::secretHash), hash}};
        auto found = secrets.find(name);
        if (!found)
            return found.error();
        if (!found.value()) {
            missing.insert(name, labels);
            refs.append(ServiceSecretRef{.id = {}, .name = name, .file = it.key()});
            continue;
        }
        if (found.value()->labels != labels)
            return Error::badInput(
                QStringLiteral("%1: secret %2: a Swarm secret named %3 is already there, and "
                               "Slipway did not make it of this value: remove it (docker "
                               "secret rm %3) and deploy again")
                    .arg(where, it.key(), name));
        refs.append(ServiceSecretRef{.id = found.value()->id, .name = name, .file = it.key()});
    }
    QStringList made;
    for (ServiceSecretRef &ref : refs) {
        if (!ref.id.isEmpty())
            continue;
        auto id = secrets.create(ref.name, missing.value(ref.name), values.value(ref.file).toUtf8());
        if (!id) {
            for (const QString &madeId : std::as_const(made))
                (void)secrets.remove(madeId);
            return id.error();
        }
        ref.id = id.value();
        made.append(id.value());
    }
    if (!refs.isEmpty())
        log(QStringLiteral("%1 secret(s) as files under /run/secrets, from Swarm secrets (%2 made now)")
                .arg(refs.size())
                .arg(made.size()));
    return refs;
}

void pruneSwarmSecrets(SwarmSecrets &secrets, const QString &app, const ServiceState &service,
                       const std::function<void(const QString &)> &log)
{
    auto ours = secrets.list(label(labels::app) + u'=' + app);
    if (!ours) {
        log(ours.error().message);
        return;
    }
    QStringList removed;
    for (const SwarmSecret &secret : std::as_const(ours.value())) {
        if (!secret.labels.contains(label(labels::secret)) || service.secretNames.contains(secret.name) ||
            service.previousSecretNames.contains(secret.name))
            continue;
        if (Status gone = secrets.remove(secret.id); !gone)
            log(gone.error().message);
        else
            removed.append(secret.name);
    }
    if (!removed.isEmpty())
        log(QStringLiteral("removed %1 Swarm secret(s) no spec of the service names: %2")
                .arg(removed.size())
                .arg(removed.join(QStringLiteral(", "))));
}

} // namespace slipway
