#include "projectfile/spec.h"

#include "registry/imagereference.h"
#include "projectfile/specformat.h"
#include "util/glob.h"

#include <QHash>

#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace slipway {

using spec_detail::quoted;

namespace {

constexpr qint64 maxDurationSeconds = 24 * 60 * 60;

QString toQString(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString typeName(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::table:
        return QStringLiteral("a table");
    case toml::node_type::array:
        return QStringLiteral("a list");
    case toml::node_type::string:
        return QStringLiteral("a string");
    case toml::node_type::integer:
        return QStringLiteral("an integer");
    case toml::node_type::floating_point:
        return QStringLiteral("a float");
    case toml::node_type::boolean:
        return QStringLiteral("a boolean");
    case toml::node_type::date:
        return QStringLiteral("a date");
    case toml::node_type::time:
        return QStringLiteral("a time");
    case toml::node_type::date_time:
        return QStringLiteral("a date-time");
    case toml::node_type::none:
        break;
    }
    return QStringLiteral("nothing");
}

int lineOf(const toml::node &node)
{
    return int(node.source().begin.line);
}

int lineOf(const toml::key &key)
{
    return int(key.source().begin.line);
}

bool isNameChar(QChar c, bool upperAllowed)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'.' || u == u'_' || u == u'-' ||
           (upperAllowed && u >= u'A' && u <= u'Z');
}

bool isLayerName(const QString &name)
{
    return !name.isEmpty() &&
           std::all_of(name.begin(), name.end(), [](QChar c) { return isNameChar(c, true); });
}

// [a-z0-9][a-z0-9_.-]*
bool isContainerName(const QString &name)
{
    if (name.isEmpty() || name.front() == u'.' || name.front() == u'_' || name.front() == u'-')
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) { return isNameChar(c, false); });
}

bool isLowerAlnum(QStringView s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
    });
}

// "os/arch" or "os/arch/variant", lower-case letters and digits.
bool isPlatform(const QString &platform)
{
    const QList<QStringView> parts = QStringView(platform).split(u'/');
    return (parts.size() == 2 || parts.size() == 3) && std::all_of(parts.begin(), parts.end(), isLowerAlnum);
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

// "HOST:CONTAINER" or "HOST:CONTAINER/tcp|udp"; returns the container port.
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

// Reads slipway.toml's tables. Every problem found is recorded; the one on the earliest line
// is reported, so the user fixes the file top to bottom.
class Parser
{
public:
    explicit Parser(const QString &fileName)
        : m_fileName(fileName)
    {}

    Result<Spec> parse(const toml::table &root)
    {
        bool sawLayers = false;
        for (auto &&[key, node] : root) {
            const QString name = toQString(key.str());
            if (name == QLatin1String("image")) {
                if (const toml::table *t = node.as_table())
                    readImage(*t);
                else
                    fail(lineOf(node), QStringLiteral("image must be a table: write [image]"));
            } else if (name == QLatin1String("layers")) {
                sawLayers = true;
                readLayers(node);
            } else if (name == QLatin1String("deploy")) {
                if (const toml::table *t = node.as_table())
                    readDeploy(*t);
                else
                    fail(lineOf(node), QStringLiteral("deploy must be a table: write [deploy]"));
            } else {
                fail(lineOf(key), QStringLiteral("unknown key '") + name +
                                      QStringLiteral("' (the tables are [image], [[layers]] and [deploy])"));
            }
        }
        if (!m_error && (!sawLayers || m_spec.layers.isEmpty())) {
            return Error::badInput(m_fileName +
                                   QStringLiteral(": no [[layers]]: add at least one, e.g. "
                                                  "[[layers]] name = \"app\" include = [\"**\"]"));
        }
        if (!m_error)
            checkAcrossTables();
        if (m_error)
            return *m_error;
        return std::move(m_spec);
    }

private:
    // Records a problem; returns false so callers can `return fail(...)`.
    bool fail(int line, const QString &what)
    {
        if (!m_error || line < m_errorLine) {
            m_error =
                Error::badInput(m_fileName + u':' + QString::number(line) + QStringLiteral(": ") + what);
            m_errorLine = line;
        }
        return false;
    }

    // --- typed readers: `where` is the table and key as messages name them ---

    bool readString(const toml::node &node, const QString &where, QString &out)
    {
        if (const auto *v = node.as_string()) {
            out = toQString(v->get());
            return true;
        }
        return fail(lineOf(node), where + QStringLiteral(" must be a string, not ") + typeName(node));
    }

    bool readStringList(const toml::node &node, const QString &where, QStringList &out)
    {
        const toml::array *array = node.as_array();
        if (!array || (!array->empty() && !array->is_homogeneous(toml::node_type::string))) {
            const QString found = array ? QStringLiteral("a list holding other values") : typeName(node);
            return fail(lineOf(node), where + QStringLiteral(" must be a list of strings, not ") + found);
        }
        QStringList list;
        for (const toml::node &item : *array)
            list << toQString(item.as_string()->get());
        out = list;
        return true;
    }

    std::optional<qint64> readInteger(const toml::node &node, const QString &where)
    {
        if (const auto *v = node.as_integer())
            return v->get();
        fail(lineOf(node), where + QStringLiteral(" must be an integer, not ") + typeName(node));
        return std::nullopt;
    }

    bool readPort(const toml::node &node, const QString &where, int &out)
    {
        const std::optional<qint64> value = readInteger(node, where);
        if (!value)
            return false;
        if (*value < 1 || *value > 65535) {
            return fail(lineOf(node), where + QStringLiteral(" must be a port from 1 to 65535, not ") +
                                          QString::number(*value));
        }
        out = int(*value);
        return true;
    }

    // A map of names to strings; integers and booleans are taken as their text.
    bool readStringMap(const toml::node &node, const QString &where, bool isEnv, QMap<QString, QString> &out)
    {
        const toml::table *table = node.as_table();
        if (!table) {
            return fail(lineOf(node),
                        where +
                            QStringLiteral(" must be a table of strings, e.g. { NAME = \"value\" }, "
                                           "not ") +
                            typeName(node));
        }
        bool ok = true;
        QMap<QString, QString> map;
        for (auto &&[key, value] : *table) {
            const QString name = toQString(key.str());
            if (name.isEmpty()) {
                ok = fail(lineOf(key), where + QStringLiteral(" has an empty name"));
                continue;
            }
            if (isEnv && name.contains(u'=')) {
                ok = fail(lineOf(key),
                          where + QStringLiteral(" name '") + name + QStringLiteral("' contains '='"));
                continue;
            }
            const QString item = where + QStringLiteral(" '") + name + u'\'';
            if (const auto *s = value.as_string()) {
                map.insert(name, toQString(s->get()));
            } else if (const auto *i = value.as_integer()) {
                map.insert(name, QString::number(i->get()));
            } else if (const auto *b = value.as_boolean()) {
                map.insert(name, b->get() ? QStringLiteral("true") : QStringLiteral("false"));
            } else {
                ok = fail(lineOf(value), item + QStringLiteral(" must be a string, not ") + typeName(value));
            }
        }
        if (ok)
            out = map;
        return ok;
    }

    bool readDuration(const toml::node &node, const QString &where, int &out)
    {
        const QString expected =
            where + QStringLiteral(" must be a duration like \"30s\", \"2m\" or \"500ms\" "
                                   "(or whole seconds), not ");
        qint64 seconds = 0;
        if (const auto *i = node.as_integer()) {
            seconds = i->get();
            if (seconds < 0)
                return fail(lineOf(node), expected + QString::number(seconds));
        } else if (const auto *s = node.as_string()) {
            const QString text = toQString(s->get());
            const std::optional<qint64> parsed = parseDuration(text);
            if (!parsed)
                return fail(lineOf(node), expected + quoted(text));
            seconds = *parsed;
        } else {
            return fail(lineOf(node), expected + typeName(node));
        }
        if (seconds < 1)
            return fail(lineOf(node), where + QStringLiteral(" must be at least 1 second"));
        if (seconds > maxDurationSeconds)
            return fail(lineOf(node), where + QStringLiteral(" must be at most 24h"));
        out = int(seconds);
        return true;
    }

    // --- tables ---

    void readImage(const toml::table &table)
    {
        const QString t = QStringLiteral("[image]");
        ImageSpec &image = m_spec.image;
        for (auto &&[key, node] : table) {
            const QString name = toQString(key.str());
            const QString where = t + u' ' + name;
            if (name == QLatin1String("base")) {
                if (readString(node, where, image.base) &&
                    (image.base.isEmpty() || std::any_of(image.base.begin(), image.base.end(),
                                                         [](QChar c) { return c.isSpace(); }))) {
                    fail(lineOf(node),
                         where +
                             QStringLiteral(" must be \"scratch\" or an image reference such as "
                                            "\"docker.io/library/debian:12\", not ") +
                             quoted(image.base));
                } else if (image.base != u"scratch") {
                    // Checked here so the message has the line; the builder pulls it.
                    if (auto reference = ImageReference::parse(image.base); !reference)
                        fail(lineOf(node), where + QStringLiteral(": ") + reference.error().message);
                }
            } else if (name == QLatin1String("platforms")) {
                readPlatforms(node, where);
            } else if (name == QLatin1String("workdir")) {
                if (readString(node, where, image.workdir) && !image.workdir.isEmpty() &&
                    !image.workdir.startsWith(u'/')) {
                    fail(lineOf(node),
                         where + QStringLiteral(" must be an absolute path, not ") + quoted(image.workdir));
                }
            } else if (name == QLatin1String("entrypoint")) {
                readStringList(node, where, image.entrypoint);
            } else if (name == QLatin1String("cmd")) {
                readStringList(node, where, image.cmd);
            } else if (name == QLatin1String("env")) {
                readStringMap(node, where, true, image.env);
            } else if (name == QLatin1String("user")) {
                if (const auto *i = node.as_integer()) {
                    if (i->get() < 0 || i->get() > std::numeric_limits<quint32>::max())
                        fail(lineOf(node),
                             where + QStringLiteral(" must be a user id from 0 to 4294967295, not ") +
                                 QString::number(i->get()));
                    else
                        image.user = QString::number(i->get());
                } else if (!node.is_string()) {
                    fail(lineOf(node),
                         where + QStringLiteral(" must be a string or an integer, not ") + typeName(node));
                } else {
                    readString(node, where, image.user);
                }
            } else if (name == QLatin1String("expose")) {
                readExpose(node, where);
            } else if (name == QLatin1String("labels")) {
                readStringMap(node, where, false, image.labels);
            } else {
                fail(lineOf(key), t + QStringLiteral(" unknown key '") + name + u'\'');
            }
        }
    }

    void readPlatforms(const toml::node &node, const QString &where)
    {
        QStringList platforms;
        if (!readStringList(node, where, platforms))
            return;
        if (platforms.isEmpty()) {
            fail(lineOf(node),
                 where + QStringLiteral(" must list at least one platform, e.g. [\"linux/amd64\"]"));
            return;
        }
        const toml::array &array = *node.as_array();
        for (qsizetype i = 0; i < platforms.size(); ++i) {
            if (!isPlatform(platforms[i])) {
                fail(lineOf(array[size_t(i)]),
                     where + QStringLiteral(": ") + quoted(platforms[i]) +
                         QStringLiteral(" is not \"os/arch\" or \"os/arch/variant\", e.g. \"linux/arm64\""));
                return;
            }
            if (platforms.indexOf(platforms[i]) < i) {
                fail(lineOf(array[size_t(i)]), where + QStringLiteral(": ") + quoted(platforms[i]) +
                                                   QStringLiteral(" is listed twice"));
                return;
            }
        }
        m_spec.image.platforms = platforms;
    }

    void readExpose(const toml::node &node, const QString &where)
    {
        const toml::array *array = node.as_array();
        if (!array) {
            fail(lineOf(node),
                 where + QStringLiteral(" must be a list of ports, e.g. [8080], not ") + typeName(node));
            return;
        }
        QList<int> ports;
        for (const toml::node &item : *array) {
            int port = 0;
            if (!readPort(item, where + QStringLiteral(" entry"), port))
                return;
            ports << port;
        }
        m_spec.image.expose = ports;
    }

    void readLayers(const toml::node &node)
    {
        const toml::array *array = node.as_array();
        if (!array || (!array->empty() && !array->is_array_of_tables())) {
            fail(lineOf(node), QStringLiteral("layers must be an array of tables: write [[layers]]"));
            return;
        }
        for (const toml::node &item : *array)
            readLayer(*item.as_table(), int(m_spec.layers.size()) + 1);
    }

    void readLayer(const toml::table &table, int number)
    {
        LayerSpec layer;
        QString context = QStringLiteral("[[layers]] #") + QString::number(number);

        if (const toml::node *nameNode = table.get("name")) {
            const QString where = context + QStringLiteral(": name");
            if (readString(*nameNode, where, layer.name)) {
                if (!isLayerName(layer.name)) {
                    fail(lineOf(*nameNode),
                         where + u' ' + quoted(layer.name) +
                             QStringLiteral(" must be letters, digits, '.', '_' and '-' only"));
                } else {
                    const auto used = m_layerNames.constFind(layer.name);
                    if (used != m_layerNames.cend()) {
                        fail(lineOf(*nameNode), where + QStringLiteral(" '") + layer.name +
                                                    QStringLiteral("' is already used by layer #") +
                                                    QString::number(*used));
                    } else {
                        m_layerNames.insert(layer.name, number);
                    }
                    context += QStringLiteral(" '") + layer.name + u'\'';
                }
            }
        } else {
            fail(lineOf(table), context + QStringLiteral(": name is missing"));
        }
        context += u':';

        bool sawInclude = false;
        for (auto &&[key, value] : table) {
            const QString name = toQString(key.str());
            const QString where = context + u' ' + name;
            if (name == QLatin1String("name")) {
                continue;
            } else if (name == QLatin1String("include")) {
                sawInclude = true;
                if (readGlobs(value, where, layer.include) && layer.include.isEmpty())
                    fail(lineOf(value),
                         where + QStringLiteral(" must list at least one glob, e.g. [\"**\"]"));
            } else if (name == QLatin1String("exclude")) {
                readGlobs(value, where, layer.exclude);
            } else if (name == QLatin1String("dest")) {
                if (readString(value, where, layer.dest)) {
                    if (const QString problem = destProblem(layer.dest); !problem.isEmpty())
                        fail(lineOf(value),
                             where + u' ' + quoted(layer.dest) + QStringLiteral(" must be ") + problem);
                }
            } else {
                fail(lineOf(key), context + QStringLiteral(" unknown key '") + name + u'\'');
            }
        }
        if (!sawInclude)
            fail(lineOf(table), context + QStringLiteral(" include is missing, e.g. include = [\"**\"]"));
        m_spec.layers << layer;
    }

    bool readGlobs(const toml::node &node, const QString &where, QStringList &out)
    {
        QStringList globs;
        if (!readStringList(node, where, globs))
            return false;
        const toml::array &array = *node.as_array();
        bool ok = true;
        for (qsizetype i = 0; i < globs.size(); ++i) {
            const int line = lineOf(array[size_t(i)]);
            if (globs[i].isEmpty()) {
                ok = fail(line, where + QStringLiteral(" has an empty glob"));
                continue;
            }
            const Result<Glob> glob = Glob::compile(globs[i]);
            if (!glob.ok())
                ok = fail(line, where + QStringLiteral(": ") + glob.error().message);
        }
        if (ok)
            out = globs;
        return ok;
    }

    // Empty if `dest` is an absolute, normalised directory; else what it must be.
    static QString destProblem(const QString &dest)
    {
        if (!dest.startsWith(u'/'))
            return QStringLiteral("an absolute path, e.g. \"/app\"");
        if (dest == QLatin1String("/"))
            return {};
        if (dest.endsWith(u'/'))
            return QStringLiteral("written without a trailing '/'");
        const QList<QStringView> parts = QStringView(dest).sliced(1).split(u'/');
        for (QStringView part : parts) {
            if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
                return QStringLiteral("a normalised path (no \"//\", \".\" or \"..\")");
        }
        return {};
    }

    void readDeploy(const toml::table &table)
    {
        const QString t = QStringLiteral("[deploy]");
        DeploySpec &deploy = m_spec.deploy;
        for (auto &&[key, node] : table) {
            const QString name = toQString(key.str());
            const QString where = t + u' ' + name;
            if (name == QLatin1String("name")) {
                if (readString(node, where, deploy.name) && !deploy.name.isEmpty() &&
                    !isContainerName(deploy.name)) {
                    fail(lineOf(node), where + u' ' + quoted(deploy.name) +
                                           QStringLiteral(" must start with a lower-case letter or digit and "
                                                          "hold only a-z, 0-9, '_', '.' and '-'"));
                }
            } else if (name == QLatin1String("ports")) {
                readDeployPorts(node, where);
            } else if (name == QLatin1String("network")) {
                if (readString(node, where, deploy.network) &&
                    std::any_of(deploy.network.begin(), deploy.network.end(),
                                [](QChar c) { return c.isSpace(); })) {
                    fail(lineOf(node), where + u' ' + quoted(deploy.network) +
                                           QStringLiteral(" must be a network name, e.g. \"host\""));
                }
            } else if (name == QLatin1String("env")) {
                readStringMap(node, where, true, deploy.env);
            } else if (name == QLatin1String("health")) {
                if (const toml::table *health = node.as_table()) {
                    readHealth(*health);
                } else {
                    fail(lineOf(node), where +
                                           QStringLiteral(" must be a table, e.g. { path = \"/healthz\", "
                                                          "port = 8080 }, not ") +
                                           typeName(node));
                }
            } else if (name == QLatin1String("restart")) {
                if (readString(node, where, deploy.restart)) {
                    static const QStringList policies{QStringLiteral("no"), QStringLiteral("always"),
                                                      QStringLiteral("on-failure"),
                                                      QStringLiteral("unless-stopped")};
                    if (!policies.contains(deploy.restart)) {
                        fail(lineOf(node),
                             where + u' ' + quoted(deploy.restart) +
                                 QStringLiteral(" must be one of \"no\", \"always\", \"on-failure\" "
                                                "or \"unless-stopped\""));
                    }
                }
            } else if (name == QLatin1String("stop_timeout")) {
                readStopTimeout(node, where, deploy.stopTimeoutSeconds);
            } else {
                fail(lineOf(key), t + QStringLiteral(" unknown key '") + name + u'\'');
            }
        }
    }

    // Whole seconds between SIGTERM and SIGKILL when a container is retired. An hour at most: a
    // rollout waits this long for each old container that ignores SIGTERM.
    bool readStopTimeout(const toml::node &node, const QString &where, int &out)
    {
        constexpr qint64 maxSeconds = 3600;
        const QString expected =
            where + QStringLiteral(" must be whole seconds from 0 to %1, e.g. stop_timeout = 30, not ")
                        .arg(maxSeconds);
        const auto *value = node.as_integer();
        if (const auto *text = node.as_string())
            return fail(lineOf(node), expected + quoted(toQString(text->get())));
        if (!value)
            return fail(lineOf(node), expected + typeName(node));
        if (value->get() < 0 || value->get() > maxSeconds)
            return fail(lineOf(node), expected + QString::number(value->get()));
        out = int(value->get());
        return true;
    }

    void readDeployPorts(const toml::node &node, const QString &where)
    {
        QStringList ports;
        if (!readStringList(node, where, ports))
            return;
        const toml::array &array = *node.as_array();
        for (qsizetype i = 0; i < ports.size(); ++i) {
            if (!parsePortMapping(ports[i])) {
                fail(lineOf(array[size_t(i)]),
                     where + QStringLiteral(": ") + quoted(ports[i]) +
                         QStringLiteral(" must be \"HOST:CONTAINER\" or \"HOST:CONTAINER/tcp\" (or /udp), "
                                        "with ports from 1 to 65535"));
                return;
            }
        }
        m_spec.deploy.ports = ports;
    }

    void readHealth(const toml::table &table)
    {
        const QString t = QStringLiteral("[deploy]");
        HealthSpec health;
        m_healthLine = lineOf(table);
        for (auto &&[key, node] : table) {
            const QString name = toQString(key.str());
            const QString where = t + QStringLiteral(" health.") + name;
            if (name == QLatin1String("path")) {
                if (readString(node, where, health.path) && !health.path.isEmpty() &&
                    !health.path.startsWith(u'/'))
                    fail(lineOf(node),
                         where + u' ' + quoted(health.path) + QStringLiteral(" must start with '/'"));
            } else if (name == QLatin1String("port")) {
                readPort(node, where, health.port);
            } else if (name == QLatin1String("timeout")) {
                readDuration(node, where, health.timeoutSeconds);
            } else if (name == QLatin1String("interval")) {
                readDuration(node, where, health.intervalSeconds);
            } else {
                fail(lineOf(key), t + QStringLiteral(" unknown key 'health.") + name + u'\'');
            }
        }
        m_spec.deploy.health = health;
    }

    // Rules that involve more than one key; run only on an otherwise valid file.
    void checkAcrossTables()
    {
        DeploySpec &deploy = m_spec.deploy;
        if (deploy.health && deploy.health->port == 0) {
            // The port defaults to the container side of the first published port, else the
            // first exposed port.
            if (!deploy.ports.isEmpty())
                deploy.health->port = *parsePortMapping(deploy.ports.front());
            else if (!m_spec.image.expose.isEmpty())
                deploy.health->port = m_spec.image.expose.front();
            else if (!deploy.health->path.isEmpty())
                fail(m_healthLine,
                     QStringLiteral("[deploy] health.port is missing (and there are no [deploy] "
                                    "ports or [image] expose to take it from)"));
        }
    }

    const QString &m_fileName;
    Spec m_spec;
    QHash<QString, int> m_layerNames; // name → layer number
    int m_healthLine = 0;
    std::optional<Error> m_error;
    int m_errorLine = 0;
};

} // namespace

Result<Spec> parseSpec(const QByteArray &toml, const QString &fileName)
{
    toml::table root;
    try {
        const QByteArray source = fileName.toUtf8();
        root = toml::parse(std::string_view(toml.constData(), size_t(toml.size())),
                           std::string_view(source.constData(), size_t(source.size())));
    } catch (const toml::parse_error &e) {
        const toml::source_position &at = e.source().begin;
        return Error::badInput(fileName + u':' + QString::number(at.line) + u':' +
                               QString::number(at.column) + QStringLiteral(": syntax error: ") +
                               toQString(e.description()));
    } catch (const std::exception &e) {
        return Error::badInput(fileName + QStringLiteral(": cannot be read: ") + QString::fromUtf8(e.what()));
    }
    return Parser(fileName).parse(root);
}

} // namespace slipway
