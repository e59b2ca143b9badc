#include "projectfile/spectables.h"

#include "projectfile/specformat.h"

#include <algorithm>

namespace slipway::spec_detail {
namespace {

constexpr qint64 maxDurationSeconds = 24 * 60 * 60;

// [a-z0-9][a-z0-9_.-]*
bool isContainerName(const QString &name)
{
    if (name.isEmpty() || name.front() == u'.' || name.front() == u'_' || name.front() == u'-')
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) { return isNameChar(c, false); });
}

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
                    QStringLiteral(" must be \"HOST:CONTAINER\" or \"HOST:CONTAINER/tcp\" (or /udp), "
                                   "with ports from 1 to 65535"));
            return;
        }
    }
    deploy.ports = ports;
}

void readHealth(SpecProblems &problems, const toml::table &table, DeploySpec &deploy, int &healthLine)
{
    const QString t = QStringLiteral("[deploy]");
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
    const qsizetype colon = rest.indexOf(u':');
    if (colon < 0 || !parsePort(rest.first(colon)))
        return std::nullopt;
    return parsePort(rest.sliced(colon + 1));
}

void readDeploy(SpecProblems &problems, const toml::table &table, DeploySpec &deploy, int &healthLine)
{
    const QString t = QStringLiteral("[deploy]");
    for (auto &&[key, node] : table) {
        const QString name = toQString(key.str());
        const QString where = t + u' ' + name;
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
                readHealth(problems, *health, deploy, healthLine);
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
        } else {
            problems.fail(lineOf(key), t + QStringLiteral(" unknown key '") + name + u'\'');
        }
    }
}

} // namespace slipway::spec_detail
