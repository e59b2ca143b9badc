#include "projectfile/spectables.h"

#include "projectfile/specformat.h"
#include "util/glob.h"

#include <QHash>

#include <algorithm>

namespace slipway::spec_detail {
namespace {

bool isLayerName(const QString &name)
{
    return !name.isEmpty() &&
           std::all_of(name.begin(), name.end(), [](QChar c) { return isNameChar(c, true); });
}

bool readGlobs(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out)
{
    QStringList globs;
    if (!readStringList(problems, node, where, globs))
        return false;
    const toml::array &array = *node.as_array();
    bool ok = true;
    for (qsizetype i = 0; i < globs.size(); ++i) {
        const int line = lineOf(array[size_t(i)]);
        if (globs[i].isEmpty()) {
            ok = problems.fail(line, where + QStringLiteral(" has an empty glob"));
            continue;
        }
        const Result<Glob> glob = Glob::compile(globs[i]);
        if (!glob.ok())
            ok = problems.fail(line, where + QStringLiteral(": ") + glob.error().message);
    }
    if (ok)
        out = globs;
    return ok;
}

constexpr qsizetype maxDestComponents = 32;
constexpr qsizetype maxDestBytes = 1024;

// Empty if `dest` is an absolute, normalised directory; else what it must be.
QString destProblem(const QString &dest)
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
    // Every directory above a layer's files is an entry of its own: a deep dest made a 40 KB
    // spec into a 426 MB layer. Real ones are a few components long.
    if (parts.size() > maxDestComponents || dest.toUtf8().size() > maxDestBytes)
        return QStringLiteral("at most %1 components and %2 bytes long")
            .arg(maxDestComponents)
            .arg(maxDestBytes);
    return {};
}

LayerSpec readLayer(SpecProblems &problems, const toml::table &table, int number, QHash<QString, int> &names)
{
    LayerSpec layer;
    QString context = QStringLiteral("[[layers]] #") + QString::number(number);

    if (const toml::node *nameNode = table.get("name")) {
        const QString where = context + QStringLiteral(": name");
        if (readString(problems, *nameNode, where, layer.name)) {
            if (!isLayerName(layer.name)) {
                problems.fail(lineOf(*nameNode),
                              where + u' ' + quoted(layer.name) +
                                  QStringLiteral(" must be letters, digits, '.', '_' and '-' only"));
            } else {
                const auto used = names.constFind(layer.name);
                if (used != names.cend()) {
                    problems.fail(lineOf(*nameNode), where + QStringLiteral(" '") + layer.name +
                                                         QStringLiteral("' is already used by layer #") +
                                                         QString::number(*used));
                } else {
                    names.insert(layer.name, number);
                }
                context += QStringLiteral(" '") + layer.name + u'\'';
            }
        }
    } else {
        problems.fail(lineOf(table), context + QStringLiteral(": name is missing"));
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
            if (readGlobs(problems, value, where, layer.include) && layer.include.isEmpty())
                problems.fail(lineOf(value),
                              where + QStringLiteral(" must list at least one glob, e.g. [\"**\"]"));
        } else if (name == QLatin1String("exclude")) {
            readGlobs(problems, value, where, layer.exclude);
        } else if (name == QLatin1String("dest")) {
            if (readString(problems, value, where, layer.dest)) {
                if (const QString problem = destProblem(layer.dest); !problem.isEmpty())
                    problems.fail(lineOf(value),
                                  where + u' ' + quoted(layer.dest) + QStringLiteral(" must be ") + problem);
            }
        } else {
            problems.fail(lineOf(key), context + QStringLiteral(" unknown key '") + name + u'\'');
        }
    }
    if (!sawInclude)
        problems.fail(lineOf(table),
                      context + QStringLiteral(" include is missing, e.g. include = [\"**\"]"));
    return layer;
}

} // namespace

void readLayers(SpecProblems &problems, const toml::node &node, QList<LayerSpec> &layers)
{
    const toml::array *array = node.as_array();
    if (!array || (!array->empty() && !array->is_array_of_tables())) {
        problems.fail(lineOf(node), QStringLiteral("layers must be an array of tables: write [[layers]]"));
        return;
    }
    QHash<QString, int> names; // name → layer number
    for (const toml::node &item : *array)
        layers << readLayer(problems, *item.as_table(), int(layers.size()) + 1, names);
}

} // namespace slipway::spec_detail
