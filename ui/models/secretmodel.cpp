#include "models/secretmodel.h"

#include "deploy/appsecrets.h"

#include "models/whendone.h"

#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

using slipway::AppSecrets;

namespace {

Q_LOGGING_CATEGORY(lcSecrets, "slipway.gui.secrets")

struct Listed
{
    QList<SecretModel::Row> rows;
    QString error;
};

// The core's messages name app and secret, never the value; the check keeps it so should a
// keychain's own error text ever echo what it was given.
QString withoutValue(const QString &message, const QString &value)
{
    if (value.size() >= 4 && message.contains(value))
        return QObject::tr("the keychain's answer is not shown: it repeated the value");
    return message.simplified();
}

} // namespace

SecretModel::SecretModel(const QString &dataDirOption, QObject *parent)
    : PoolListModel(parent)
    , m_dataDir(dataDirOption)
{}

SecretModel::~SecretModel()
{
    m_stop.request_stop();
}

QVariant SecretModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.name;
    case SetRole:
        return row.set;
    default:
        return {};
    }
}

QHash<int, QByteArray> SecretModel::roleNames() const
{
    return {{NameRole, "name"}, {SetRole, "set"}};
}

void SecretModel::show(const QString &app)
{
    if (app != m_app) {
        m_app = app;
        resetRows(m_rows, {});
        Q_EMIT appChanged();
    }
    setError({});
    refresh();
}

void SecretModel::refresh()
{
    const quint64 generation = ++m_generation;
    begin();
    whenDone(this, QtConcurrent::run([dataDir = m_dataDir, app = m_app] {
                 Listed listed;
                 const auto entries = AppSecrets::forDataDir(dataDir).list(app);
                 if (!entries) {
                     listed.error = entries.error().message;
                     return listed;
                 }
                 for (const slipway::SecretEntry &entry : entries.value())
                     listed.rows.append(Row{.name = entry.name, .set = entry.set});
                 return listed;
             }),
             [this, generation](const Listed &listed) {
                 end();
                 if (generation != m_generation)
                     return; // a newer refresh (or another app) is on its way
                 resetRows(m_rows, listed.rows);
                 if (!listed.error.isEmpty())
                     setError(listed.error);
                 Q_EMIT refreshed();
             });
}

void SecretModel::set(const QString &name, const QString &value)
{
    const QString secret = name.trimmed();
    setError({});
    begin();
    whenDone(
        this, QtConcurrent::run([dataDir = m_dataDir, app = m_app, secret, value, stop = m_stop.get_token()] {
            const slipway::Status stored = AppSecrets::forDataDir(dataDir).set(app, secret, value, stop);
            if (stored)
                qCInfo(lcSecrets).noquote()
                    << QStringLiteral("secret %1 of app %2 saved in the system keychain").arg(secret, app);
            return stored ? QString() : withoutValue(stored.error().message, value);
        }),
        [this, secret](const QString &error) {
            end();
            setError(error);
            Q_EMIT saved(error.isEmpty(), secret, error);
            refresh();
        });
}

void SecretModel::remove(int row)
{
    if (row < 0 || row >= count())
        return;
    const QString name = m_rows.at(row).name;
    setError({});
    begin();
    whenDone(this, QtConcurrent::run([dataDir = m_dataDir, app = m_app, name, stop = m_stop.get_token()] {
                 const slipway::Status removed = AppSecrets::forDataDir(dataDir).remove(app, name, stop);
                 return removed ? QString() : removed.error().message.simplified();
             }),
             [this, name](const QString &error) {
                 end();
                 setError(error);
                 Q_EMIT removed(error.isEmpty(), name, error);
                 refresh();
             });
}

int SecretModel::indexOf(const QString &name) const
{
    for (int row = 0; row < count(); ++row)
        if (m_rows.at(row).name == name)
            return row;
    return -1;
}
