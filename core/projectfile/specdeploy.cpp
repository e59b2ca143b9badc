#include "projectfile/spectables.h"

#include "projectfile/specformat.h"

#include <QRegularExpression>

#include <algorithm>

namespace slipway::spec_detail {
namespace {

constexpr qint64 maxDurationSeconds = 24 * 60 * 60;

std::optional<int> parsePort(QStringView s)
{
    if (s.isEmpty() || s.size() > 5 ||
        !std::all_of(s.begin(), s.end(), [](QChar c) { return c >= u'0' && c <= u'9'; }))
        return std::nullopt;
    const int port = s.toInt();
    if (port < 1 || port > 65535)
        return std::nullopt;
    return port;
}

// "30s", "2m", "500ms", "1h", "1m30s": whole seconds, rounded up.
std::optional<qint64> parseDuration(const QString &text)
{
    QStringView s(text);
    if (s.isEmpty())
        return std::nullopt;
    qint64 millis = 0;
    while (!s.isEmpty()) {
        qsizetype digits = 0;
        while (digits < s.size() && s[digits] >= u'0' && s[digits] <= u'9')
            ++digits;
        if (digits == 0 || digits > 9)
            return std::nullopt;
        const qint64 number = s.first(digits).toLongLong();
        s = s.sliced(digits);
        qint64 unit = 0;
        if (s.startsWith(QLatin1String("ms"))) {
            unit = 1;
            s = s.sliced(2);
        } else if (s.startsWith(u's')) {
            unit = 1000;
            s = s.sliced(1);
        } else if (s.startsWith(u'm')) {
            unit = 60 * 1000;
            s = s.sliced(1);
        } else if (s.startsWith(u'h')) {
            unit = 60 * 60 * 1000;
            s = s.sliced(1);
        } else {
            return std::nullopt;
        }
        millis += number * unit;
        if (millis > maxDurationSeconds * 1000 * 2)
            return maxDurationSeconds + 1;
    }
    return (millis + 999) / 1000;
}

// Whole seconds between SIGTERM and SIGKILL when a container is retired. An hour at most: a
// rollout waits this long for each old container that ignores SIGTERM.
bool readStopTimeout(SpecProblems &problems, const toml::node &node, const QString &where, int &out)
{
    constexpr qint64 maxSeconds = 3600;
    const QString expected =
        where +
        QStringLiteral(" must be whole seconds from 0 to %1, e.g. stop_timeout = 30, not ").arg(maxSeconds);
    const auto *value = node.as_integer();
    if (const auto *text = node.as_string())
        return problems.fail(lineOf(node), expected + quoted(toQString(text->get())));
    if (!value)
        return problems.fail(lineOf(node), expected + typeName(node));
    if (value->get() < 0 || value->get() > maxSeconds)
        return problems.fail(lineOf(node), expected + QString::number(value->get()));
    out = int(value->get());
    return true;
}

// An IPv4 or IPv6 address as written in a port binding or an extra host: digits, hex digits,
// '.' and ':' (the engine checks the rest).
bool isAddress(QStringView s)
{
    return !s.isEmpty() && s.size() <= 45 && std::all_of(s.begin(), s.end(), [](QChar c) {
        return c.isDigit() || (c.toLower() >= u'a' && c.toLower() <= u'f') || c == u'.' || c == u':';
    });
}

// A named volume, as Docker and Podman take it: [A-Za-z0-9][A-Za-z0-9_.-]+.
bool isVolumeName(QStringView name)
{
    return name.size() >= 2 && name.front().isLetterOrNumber() && name.front().unicode() < 128 &&
           std::all_of(name.begin(), name.end(), [](QChar c) { return isNameChar(c, true); });
}

// Only what a path needs: absolute, no "." or ".." components, no ':' (the separator).
bool isCleanAbsolutePath(QStringView path)
{
    if (!path.startsWith(u'/') || path.contains(u':') || std::any_of(path.begin(), path.end(), [](QChar c) {
            return c.unicode() < 0x20 || c.unicode() == 0x7f;
        }))
        return false;
    for (const QStringView part : path.split(u'/'))
        if (part == u"." || part == u"..")
            return false;
    return true;
}

void readVolumes(SpecProblems &problems, const toml::node &node, const QString &where, DeploySpec &deploy)
{
    QStringList texts;
    if (!readStringList(problems, node, where, texts))
        return;
    const toml::array &array = *node.as_array();
    QList<VolumeSpec> volumes;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const int line = lineOf(array[size_t(i)]);
        const QString item = where + u' ' + quoted(texts[i]);
        const std::optional<VolumeSpec> parsed = VolumeSpec::fromText(texts[i]);
        if (!parsed) {
            problems.fail(line, item + QStringLiteral(" must be \"NAME:/path\" or \"/host/path:/path\", "
                                                      "optionally with \":ro\""));
            return;
        }
        VolumeSpec volume = *parsed;
        if (volume.source.startsWith(u'/') ? !isCleanAbsolutePath(volume.source)
                                           : !isVolumeName(volume.source)) {
            problems.fail(line, item + QStringLiteral(": ") + quoted(volume.source) +
                                    QStringLiteral(" must be a volume name (letters, digits, '_', '.', '-') "
                                                   "or an absolute path on the target's host"));
            return;
        }
        if (!isCleanAbsolutePath(volume.target) || volume.target == u"/") {
            problems.fail(line, item + QStringLiteral(": ") + quoted(volume.target) +
                                    QStringLiteral(" must be an absolute path in the container, not /"));
            return;
        }
        for (const VolumeSpec &other : std::as_const(volumes)) {
            if (other.target == volume.target) {
                problems.fail(line, item + QStringLiteral(": ") + volume.target +
                                        QStringLiteral(" is mounted twice"));
                return;
            }
        }
        volumes.append(volume);
    }
    deploy.volumes = volumes;
}

// Bytes, or a number with b, k, m or g as Docker writes them ("512m", "1.5g"); 6m at least,
// the least both engines take.
void readMemory(SpecProblems &problems, const toml::node &node, const QString &where, qint64 &out)
{
    const QString expected = where + QStringLiteral(" must be like \"512m\" or \"2g\", not ");
    constexpr qint64 least = 6 * 1024 * 1024;
    qint64 bytes = 0;
    if (const auto *i = node.as_integer()) {
        bytes = i->get();
    } else if (const auto *text = node.as_string()) {
        const QString value = toQString(text->get()).trimmed().toLower();
        static const QRegularExpression form(QStringLiteral("^(\\d{1,12}(?:\\.\\d{1,6})?)([bkmg]?)$"));
        const QRegularExpressionMatch match = form.match(value);
        if (!match.hasMatch()) {
            problems.fail(lineOf(node), expected + quoted(toQString(text->get())));
            return;
        }
        const QString unit = match.captured(2);
        const double scale = unit == u"k"   ? 1024.0
                             : unit == u"m" ? 1024.0 * 1024
                             : unit == u"g" ? 1024.0 * 1024 * 1024
                                            : 1.0;
        const double value64 = match.captured(1).toDouble() * scale;
        if (value64 > 1024.0 * 1024 * 1024 * 1024) {
            problems.fail(lineOf(node),
                          where + QStringLiteral(" must be at most \"1024g\", not ") + quoted(value));
            return;
        }
        bytes = qint64(value64);
    } else {
        problems.fail(lineOf(node), expected + typeName(node));
        return;
    }
    if (bytes < least) {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must be at least \"6m\" (the engines refuse less)"));
        return;
    }
    out = bytes;
}

void readCpus(SpecProblems &problems, const toml::node &node, const QString &where, double &out)
{
    double cpus = 0;
    if (const auto *f = node.as_floating_point())
        cpus = f->get();
    else if (const auto *i = node.as_integer())
        cpus = double(i->get());
    else {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must be a number of CPUs like 1.5, not ") + typeName(node));
        return;
    }
    if (!(cpus >= 0.01 && cpus <= 1024)) {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must be from 0.01 to 1024, not ") + QString::number(cpus));
        return;
    }
    out = cpus;
}

// On a Swarm target, the service's tasks; 1000 at most, which no fleet of Slipway's needs more of.
void readReplicas(SpecProblems &problems, const toml::node &node, const QString &where, int &out)
{
    const QString expected =
        where + QStringLiteral(" must be a whole number from 1 to 1000, e.g. replicas = 3, not ");
    const auto *value = node.as_integer();
    if (const auto *text = node.as_string()) {
        problems.fail(lineOf(node), expected + quoted(toQString(text->get())));
        return;
    }
    if (!value) {
        problems.fail(lineOf(node), expected + typeName(node));
        return;
    }
    if (value->get() < 1 || value->get() > 1000) {
        problems.fail(lineOf(node), expected + QString::number(value->get()));
        return;
    }
    out = int(value->get());
}

void readCommand(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out)
{
    if (node.is_string()) {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must be a list of strings, e.g. [\"bin/worker\", "
                                             "\"--queue\", \"mail\"], not a string"));
        return;
    }
    QStringList command;
    if (!readStringList(problems, node, where, command))
        return;
    if (!command.isEmpty() && command.front().isEmpty()) {
        problems.fail(lineOf(node), where + QStringLiteral(" must not start with an empty string"));
        return;
    }
    out = command;
}

void readLabels(SpecProblems &problems, const toml::node &node, const QString &where,
                QMap<QString, QString> &out)
{
    QMap<QString, QString> labels;
    if (!readStringMap(problems, node, where, false, labels))
        return;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (it.key().startsWith(QLatin1String("io.slipway."))) {
            problems.fail(lineOf(node), where + QStringLiteral(" '") + it.key() +
                                            QStringLiteral("': io.slipway.* labels are Slipway's own"));
            return;
        }
    }
    out = labels;
}

void readExtraHosts(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out)
{
    QStringList hosts;
    if (!readStringList(problems, node, where, hosts))
        return;
    const toml::array &array = *node.as_array();
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        const qsizetype colon = hosts[i].indexOf(u':');
        const QString name = hosts[i].left(colon);
        const QString address = colon < 0 ? QString() : hosts[i].mid(colon + 1);
        const bool nameOk = !name.isEmpty() && std::all_of(name.begin(), name.end(), [](QChar c) {
            return isNameChar(c, true) && c != u'_';
        });
        if (!nameOk || !(isAddress(address) || address == u"host-gateway")) {
            problems.fail(lineOf(array[size_t(i)]),
                          where + u' ' + quoted(hosts[i]) +
                              QStringLiteral(" must be \"NAME:ADDRESS\", e.g. \"db.internal:10.0.0.5\""));
            return;
        }
    }
    out = hosts;
}

void readLog(SpecProblems &problems, const toml::node &node, const QString &where, LogSpec &out)
{
    const toml::table *table = node.as_table();
    if (!table) {
        problems.fail(lineOf(node), where +
                                        QStringLiteral(" must be a table, e.g. { driver = \"json-file\", "
                                                       "options = { max-size = \"50m\" } }, not ") +
                                        typeName(node));
        return;
    }
    LogSpec log;
    log.options.clear();
    bool sawDriver = false;
    for (auto &&[key, value] : *table) {
        const QString name = toQString(key.str());
        if (name == QLatin1String("driver")) {
            sawDriver = true;
            if (readString(problems, value, where + QStringLiteral(".driver"), log.driver) &&
                (log.driver.isEmpty() || !std::all_of(log.driver.begin(), log.driver.end(),
                                                      [](QChar c) { return isNameChar(c, true); }))) {
                problems.fail(lineOf(value),
                              where + QStringLiteral(".driver ") + quoted(log.driver) +
                                  QStringLiteral(" must be a log driver's name, e.g. \"json-file\""));
                return;
            }
        } else if (name == QLatin1String("options")) {
            readStringMap(problems, value, where + QStringLiteral(".options"), false, log.options);
        } else {
            problems.fail(lineOf(key), where + QStringLiteral(" unknown key '") + name +
                                           QStringLiteral("' (the keys are driver and options)"));
            return;
        }
    }
    if (!sawDriver) {
        problems.fail(lineOf(node), where + QStringLiteral(" needs a driver, e.g. driver = \"json-file\""));
        return;
    }
    out = log;
}

bool readSecretNames(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out)
{
    QStringList names;
    if (!readStringList(problems, node, where, names))
        return false;
    const toml::array &array = *node.as_array();
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (!isVariableName(names[i]))
            return problems.fail(lineOf(array[size_t(i)]),
                                 where + QStringLiteral(": ") + quoted(names[i]) +
                                     QStringLiteral(" is not a valid variable name (A-Z, a-z, 0-9 and '_', "
                                                    "not starting with a digit)"));
        if (names.indexOf(names[i]) < i)
            return problems.fail(lineOf(array[size_t(i)]), where + QStringLiteral(": ") + quoted(names[i]) +
                                                               QStringLiteral(" is named twice"));
    }
    out = names;
    return true;
}

// secrets = ["DB_PASSWORD"], or secrets = { names = ["DB_PASSWORD"], files = true }.
void readSecrets(SpecProblems &problems, const toml::node &node, const QString &where, DeploySpec &deploy)
{
    if (node.is_array()) {
        if (readSecretNames(problems, node, where, deploy.secrets))
            deploy.secretFiles = false;
        return;
    }
    const toml::table *table = node.as_table();
    if (!table) {
        problems.fail(lineOf(node),
                      where +
                          QStringLiteral(" must be a list of names, e.g. [\"DB_PASSWORD\"], or a "
                                         "table { names = [...], files = true }, not ") +
                          typeName(node));
        return;
    }
    QStringList names;
    bool files = false;
    for (auto &&[key, value] : *table) {
        const QString name = toQString(key.str());
        if (name == QLatin1String("names")) {
            if (!readSecretNames(problems, value, where + QStringLiteral(".names"), names))
                return;
        } else if (name == QLatin1String("files")) {
            if (const auto *flag = value.as_boolean()) {
                files = flag->get();
            } else {
                problems.fail(lineOf(value),
                              where + QStringLiteral(".files must be true or false, not ") + typeName(value));
                return;
            }
        } else {
            problems.fail(lineOf(key), where + QStringLiteral(" unknown key '") + name +
                                           QStringLiteral("' (the keys are names and files)"));
            return;
        }
    }
    deploy.secrets = names;
    deploy.secretFiles = files;
}

void readDeployPorts(SpecProblems &problems, const toml::node &node, const QString &where, DeploySpec &deploy)
{
    QStringList ports;
    if (!readStringList(problems, node, where, ports))
        return;
    const toml::array &array = *node.as_array();
    for (qsizetype i = 0; i < ports.size(); ++i) {
        if (!parsePortMapping(ports[i])) {
            problems.fail(
                lineOf(array[size_t(i)]),
                where + QStringLiteral(": ") + quoted(ports[i]) +
                    QStringLiteral(" must be \"HOST:CONTAINER\", \"ADDRESS:HOST:CONTAINER\" or either "
                                   "with /tcp or /udp, with ports from 1 to 65535"));
            return;
        }
    }
    deploy.ports = ports;
}

void readHealth(SpecProblems &problems, const toml::table &table, const QString &t, DeploySpec &deploy,
                int &healthLine)
{
    HealthSpec health;
    healthLine = lineOf(table);
    for (auto &&[key, node] : table) {
        const QString name = toQString(key.str());
        const QString where = t + QStringLiteral(" health.") + name;
        if (name == QLatin1String("path")) {
            if (readString(problems, node, where, health.path) && !health.path.isEmpty() &&
                !health.path.startsWith(u'/'))
                problems.fail(lineOf(node),
                              where + u' ' + quoted(health.path) + QStringLiteral(" must start with '/'"));
        } else if (name == QLatin1String("port")) {
            readPort(problems, node, where, health.port);
        } else if (name == QLatin1String("timeout")) {
            readDuration(problems, node, where, health.timeoutSeconds);
        } else if (name == QLatin1String("interval")) {
            readDuration(problems, node, where, health.intervalSeconds);
        } else {
            problems.fail(lineOf(key), t + QStringLiteral(" unknown key 'health.") + name + u'\'');
        }
    }
    deploy.health = health;
}

} // namespace

bool readDuration(SpecProblems &problems, const toml::node &node, const QString &where, int &out)
{
    const QString expected = where + QStringLiteral(" must be a duration like \"30s\", \"2m\" or \"500ms\" "
                                                    "(or whole seconds), not ");
    qint64 seconds = 0;
    if (const auto *i = node.as_integer()) {
        seconds = i->get();
        if (seconds < 0)
            return problems.fail(lineOf(node), expected + QString::number(seconds));
    } else if (const auto *s = node.as_string()) {
        const QString text = toQString(s->get());
        const std::optional<qint64> parsed = parseDuration(text);
        if (!parsed)
            return problems.fail(lineOf(node), expected + quoted(text));
        seconds = *parsed;
    } else {
        return problems.fail(lineOf(node), expected + typeName(node));
    }
    if (seconds < 1)
        return problems.fail(lineOf(node), where + QStringLiteral(" must be at least 1 second"));
    if (seconds > maxDurationSeconds)
        return problems.fail(lineOf(node), where + QStringLiteral(" must be at most 24h"));
    out = int(seconds);
    return true;
}

std::optional<int> parsePortMapping(const QString &mapping)
{
    QStringView rest(mapping);
    const qsizetype slash = rest.indexOf(u'/');
    if (slash >= 0) {
        const QStringView protocol = rest.sliced(slash + 1);
        if (protocol != QLatin1String("tcp") && protocol != QLatin1String("udp"))
            return std::nullopt;
        rest = rest.first(slash);
    }
    // An address to bind on first: "127.0.0.1:8080:80", "[::1]:8080:80".
    if (rest.startsWith(u'[')) {
        const qsizetype close = rest.indexOf(QLatin1String("]:"));
        if (close < 0 || !isAddress(rest.sliced(1, close - 1)))
            return std::nullopt;
        rest = rest.sliced(close + 2);
    } else if (rest.count(u':') == 2) {
        const qsizetype colon = rest.indexOf(u':');
        if (!isAddress(rest.first(colon)) || rest.first(colon).contains(u':'))
            return std::nullopt;
        rest = rest.sliced(colon + 1);
    }
    const qsizetype colon = rest.indexOf(u':');
    if (colon < 0 || !parsePort(rest.first(colon)))
        return std::nullopt;
    return parsePort(rest.sliced(colon + 1));
}

void readDeploy(SpecProblems &problems, const toml::table &table, const QString &t, DeploySpec &deploy,
                int &healthLine,
                const std::function<bool(const QString &key, const toml::node &node)> &otherKey)
{
    for (auto &&[key, node] : table) {
        const QString name = toQString(key.str());
        const QString where = t + u' ' + name;
        if (otherKey && otherKey(name, node))
            continue;
        if (name == QLatin1String("name")) {
            if (readString(problems, node, where, deploy.name) && !deploy.name.isEmpty() &&
                !isContainerName(deploy.name)) {
                problems.fail(lineOf(node),
                              where + u' ' + quoted(deploy.name) +
                                  QStringLiteral(" must start with a lower-case letter or digit and "
                                                 "hold only a-z, 0-9, '_', '.' and '-'"));
            }
        } else if (name == QLatin1String("ports")) {
            readDeployPorts(problems, node, where, deploy);
        } else if (name == QLatin1String("network")) {
            if (readString(problems, node, where, deploy.network) &&
                std::any_of(deploy.network.begin(), deploy.network.end(),
                            [](QChar c) { return c.isSpace(); })) {
                problems.fail(lineOf(node), where + u' ' + quoted(deploy.network) +
                                                QStringLiteral(" must be a network name, e.g. \"host\""));
            }
        } else if (name == QLatin1String("env")) {
            readStringMap(problems, node, where, true, deploy.env);
        } else if (name == QLatin1String("health")) {
            if (const toml::table *health = node.as_table()) {
                readHealth(problems, *health, t, deploy, healthLine);
            } else {
                problems.fail(lineOf(node),
                              where +
                                  QStringLiteral(" must be a table, e.g. { path = \"/healthz\", "
                                                 "port = 8080 }, not ") +
                                  typeName(node));
            }
        } else if (name == QLatin1String("restart")) {
            if (readString(problems, node, where, deploy.restart)) {
                static const QStringList policies{QStringLiteral("no"), QStringLiteral("always"),
                                                  QStringLiteral("on-failure"),
                                                  QStringLiteral("unless-stopped")};
                if (!policies.contains(deploy.restart)) {
                    problems.fail(lineOf(node),
                                  where + u' ' + quoted(deploy.restart) +
                                      QStringLiteral(" must be one of \"no\", \"always\", \"on-failure\" "
                                                     "or \"unless-stopped\""));
                }
            }
        } else if (name == QLatin1String("stop_timeout")) {
            readStopTimeout(problems, node, where, deploy.stopTimeoutSeconds);
        } else if (name == QLatin1String("volumes")) {
            readVolumes(problems, node, where, deploy);
        } else if (name == QLatin1String("memory")) {
            readMemory(problems, node, where, deploy.memoryBytes);
        } else if (name == QLatin1String("cpus")) {
            readCpus(problems, node, where, deploy.cpus);
        } else if (name == QLatin1String("command")) {
            readCommand(problems, node, where, deploy.command);
        } else if (name == QLatin1String("labels")) {
            readLabels(problems, node, where, deploy.labels);
        } else if (name == QLatin1String("extra_hosts")) {
            readExtraHosts(problems, node, where, deploy.extraHosts);
        } else if (name == QLatin1String("log")) {
            readLog(problems, node, where, deploy.log);
        } else if (name == QLatin1String("secrets")) {
            readSecrets(problems, node, where, deploy);
        } else if (name == QLatin1String("proxy")) {
            readProxy(problems, node, t, deploy);
        } else if (name == QLatin1String("replicas")) {
            readReplicas(problems, node, where, deploy.replicas);
        } else {
            problems.fail(lineOf(key), t + QStringLiteral(" unknown key '") + name + u'\'');
        }
    }
    // Behind the proxy the app publishes no port and joins the proxy's network.
    if (deploy.proxy && (!deploy.ports.isEmpty() || !deploy.network.isEmpty())) {
        const bool ports = !deploy.ports.isEmpty();
        const toml::node *at = table.get(ports ? "ports" : "network");
        if (!at)
            at = table.get("proxy");
        problems.fail(at ? lineOf(*at) : lineOf(table),
                      t + (ports ? QStringLiteral(" ports") : QStringLiteral(" network")) +
                          QStringLiteral(" cannot go with proxy: an app behind the proxy publishes no "
                                         "port and joins the proxy's network; remove one of them"));
        return;
    }
    // A secret's value comes from the keychain, never from the file: not both.
    for (const QString &secret : std::as_const(deploy.secrets)) {
        if (deploy.env.contains(secret)) {
            const toml::node *at = table.get("secrets");
            problems.fail(at ? lineOf(*at) : lineOf(table),
                          t + QStringLiteral(" secrets: ") + quoted(secret) +
                              QStringLiteral(" is in env as well: a secret's value comes from the system "
                                             "keychain (slipway-cli secret set), never from slipway.toml"));
            return;
        }
    }
}

} // namespace slipway::spec_detail

namespace slipway {

bool isContainerName(const QString &name)
{
    if (name.isEmpty() || name.front() == u'.' || name.front() == u'_' || name.front() == u'-')
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) { return spec_detail::isNameChar(c, false); });
}

bool isVariableName(const QString &name)
{
    if (name.isEmpty() || (name.front() >= u'0' && name.front() <= u'9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) {
        return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_';
    });
}

} // namespace slipway
