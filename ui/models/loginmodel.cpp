#include "models/loginmodel.h"

#include "registry/registryaccess.h"
#include "registry/savedcredentials.h"

#include "models/whendone.h"

#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

using slipway::Credential;
using slipway::SavedCredentials;

namespace {

Q_LOGGING_CATEGORY(lcLogins, "slipway.gui.logins")

struct Loaded
{
    QList<LoginModel::Row> rows;
    QString error;
};

// What an operation on one registry ended with: empty error on success.
struct Outcome
{
    QString registry;
    QString error;
};

Loaded load(const QString &indexFile, const std::stop_token &stop)
{
    Loaded loaded;
    const SavedCredentials saved(indexFile);
    const slipway::Result<QStringList> registries = saved.registries();
    if (!registries) {
        loaded.error = registries.error().message;
        return loaded;
    }
    // Without a bus find() answers "nothing" for every registry: say why once per row instead.
    const bool bus = SavedCredentials::hasSessionBus();
    for (const QString &registry : registries.value()) {
        LoginModel::Row row;
        row.registry = registry;
        if (!bus) {
            row.problem =
                QObject::tr("the system keychain cannot be reached (there is no D-Bus session bus)");
        } else if (const auto found = saved.find(registry, stop); !found) {
            row.problem = found.error().message;
        } else if (!found.value()) {
            row.problem =
                QObject::tr("the system keychain has no login for registry %1; log in again").arg(registry);
        } else {
            row.username = found.value()->username;
        }
        loaded.rows.append(row);
    }
    return loaded;
}

// message on one line, named after the registry (prefix, with %1 for it, when message does not
// name it), never holding the password. The core never puts a credential into a message; the
// check keeps it so should a registry's own error text ever echo what it was sent. Passwords
// shorter than 4 characters would match innocent words.
QString oneLine(const QString &message, const QString &registry, const QString &prefix,
                const QString &password)
{
    QString line = message.simplified();
    if (password.size() >= 4 && line.contains(password))
        line = QObject::tr("the answer is not shown: it repeated the password");
    return line.contains(registry) ? line : prefix.arg(registry) + QStringLiteral(": ") + line;
}

// `slipway-cli login` on a pool thread: the same checks, the same verification, the same save.
Outcome logIn(const QString &dataDir, const QString &indexFile, const QString &typed,
              const Credential &credential, const std::stop_token &stop)
{
    const QString registry = LoginModel::registryName(typed);
    Outcome outcome{.registry = registry, .error = {}};
    if (typed.trimmed().isEmpty()) {
        outcome.error = QObject::tr("a registry (host[:port]) is needed to log in");
        return outcome;
    }
    if (registry.isEmpty()) {
        outcome.error = QObject::tr("'%1' is not a registry (host[:port])").arg(typed.trimmed());
        return outcome;
    }
    if (credential.username.isEmpty()) {
        outcome.error = QObject::tr("a username is needed to log in to registry %1").arg(registry);
        return outcome;
    }
    if (credential.secret.isEmpty()) {
        outcome.error = QObject::tr("the password for registry %1 is empty").arg(registry);
        return outcome;
    }

    // As slipway-cli login checks it: GET /v2/ with the typed login, through the client a push would open.
    if (const slipway::Status checked = slipway::checkLogin(registry, credential, dataDir, stop); !checked) {
        outcome.error =
            oneLine(checked.error().message, registry,
                    QObject::tr("login to registry %1 refused, nothing saved"), credential.secret);
        return outcome;
    }
    if (stop.stop_requested()) {
        outcome.error = QObject::tr("login to registry %1 cancelled, nothing saved").arg(registry);
        return outcome;
    }
    SavedCredentials saved(indexFile);
    if (const slipway::Status stored = saved.save(registry, credential, stop); !stored) {
        outcome.error = oneLine(stored.error().message, registry,
                                QObject::tr("login to registry %1 not saved"), credential.secret);
        return outcome;
    }
    qCInfo(lcLogins).noquote() << QStringLiteral(
                                      "registry %1 accepted the login of %2; saved in the system keychain")
                                      .arg(registry, credential.username);
    return outcome;
}

} // namespace

LoginModel::LoginModel(const QString &dataDirOption, QObject *parent)
    : PoolListModel(parent)
    , m_dataDir(dataDirOption)
    , m_indexFile(SavedCredentials::forDataDir(dataDirOption).indexFile())
{}

LoginModel::~LoginModel()
{
    m_stop.request_stop();
}

QVariant LoginModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case RegistryRole:
        return row.registry;
    case UsernameRole:
        return row.username;
    case ProblemRole:
        return row.problem;
    default:
        return {};
    }
}

QHash<int, QByteArray> LoginModel::roleNames() const
{
    return {{RegistryRole, "registry"}, {UsernameRole, "username"}, {ProblemRole, "problem"}};
}

QString LoginModel::registryName(const QString &text)
{
    return slipway::registryFromUserInput(text);
}

void LoginModel::refresh()
{
    const quint64 generation = ++m_generation;
    begin();
    whenDone(this, QtConcurrent::run(load, m_indexFile, m_stop.get_token()),
             [this, generation](const Loaded &loaded) {
                 end();
                 if (generation != m_generation)
                     return; // a newer refresh is on its way
                 setRows(loaded.rows);
                 if (!loaded.error.isEmpty())
                     setError(loaded.error);
                 Q_EMIT refreshed();
             });
}

void LoginModel::add(const QString &registry, const QString &username, const QString &password)
{
    Credential credential;
    credential.username = username.trimmed();
    credential.secret = password;
    setError({});
    begin();
    whenDone(this, QtConcurrent::run(logIn, m_dataDir, m_indexFile, registry, credential, m_stop.get_token()),
             [this](const Outcome &outcome) {
                 end();
                 setError(outcome.error);
                 Q_EMIT added(outcome.error.isEmpty(), outcome.registry, outcome.error);
                 if (outcome.error.isEmpty())
                     refresh();
             });
}

void LoginModel::remove(int row)
{
    if (row < 0 || row >= count())
        return;
    const QString registry = m_rows.at(row).registry;
    setError({});
    begin();
    whenDone(this, QtConcurrent::run([indexFile = m_indexFile, registry, stop = m_stop.get_token()] {
                 const slipway::Status removed = SavedCredentials(indexFile).remove(registry, stop);
                 return removed ? QString()
                                : oneLine(removed.error().message, registry,
                                          QObject::tr("the login for registry %1 was not removed"), {});
             }),
             [this, registry](const QString &error) {
                 end();
                 setError(error);
                 Q_EMIT removed(error.isEmpty(), registry, error);
                 refresh();
             });
}

int LoginModel::indexOf(const QString &registry) const
{
    for (int row = 0; row < count(); ++row)
        if (m_rows.at(row).registry == registry)
            return row;
    return -1;
}

void LoginModel::setRows(const QList<Row> &rows)
{
    resetRows(m_rows, rows);
}
