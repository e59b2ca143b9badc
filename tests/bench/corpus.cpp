// Writes a node_modules-like tree for the build benchmark: many small JavaScript-ish text files
// (compressible, like real packages), some larger bundles and a few incompressible binaries.
// Deterministic: the same arguments write the same bytes.
//
//   bench_corpus DIR TOTAL_MB FILES

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> words = {
    "function", "return",  "const",     "let",    "var",    "module", "exports",   "require", "this",
    "value",    "options", "callback",  "error",  "result", "buffer", "length",    "index",   "object",
    "string",   "number",  "undefined", "null",   "true",   "false",  "prototype", "async",   "await",
    "promise",  "resolve", "reject",    "typeof", "new",    "class",  "extends",   "super",   "if",
    "else",     "for",     "while",     "switch", "case",   "break",  "default",   "throw",   "try",
    "catch",    "finally", "import",    "from",   "export", "props",  "state",     "render",  "node",
};

std::string javascript(std::mt19937_64 &random, std::size_t size)
{
    std::string text;
    text.reserve(size + 128);
    std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
    std::uniform_int_distribution<int> shape(0, 9);
    std::uniform_int_distribution<int> number(0, 99999);
    int depth = 0;
    while (text.size() < size) {
        text.append(std::string(std::size_t(depth) * 2, ' '));
        switch (shape(random)) {
        case 0:
            text += "function " + words[pick(random)] + "_" + std::to_string(number(random)) + "(" +
                    words[pick(random)] + ", " + words[pick(random)] + ") {\n";
            depth = std::min(depth + 1, 6);
            break;
        case 1:
            if (depth > 0) {
                --depth;
                text += "}\n";
                break;
            }
            [[fallthrough]];
        case 2:
            text += "const " + words[pick(random)] + std::to_string(number(random) % 100) + " = require('" +
                    words[pick(random)] + "/" + words[pick(random)] + "');\n";
            break;
        case 3:
            text += "// " + words[pick(random)] + " " + words[pick(random)] + " " + words[pick(random)] +
                    " " + words[pick(random)] + "\n";
            break;
        default:
            text += words[pick(random)] + "." + words[pick(random)] + "(" + words[pick(random)] + ", " +
                    std::to_string(number(random)) + ");\n";
        }
    }
    text.resize(size);
    return text;
}

std::string binary(std::mt19937_64 &random, std::size_t size)
{
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        const std::uint64_t value = random();
        for (std::size_t j = 0; j < 8 && i + j < size; ++j)
            bytes[i + j] = char(value >> (j * 8));
    }
    return bytes;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: bench_corpus DIR TOTAL_MB FILES\n");
        return 2;
    }
    const fs::path root = argv[1];
    const std::size_t total = std::size_t(std::atoll(argv[2])) * 1000 * 1000;
    const int files = std::atoi(argv[3]);
    std::mt19937_64 random(20261126);

    // 2% of the files carry 40% of the bytes (bundles and binaries), as in real node_modules.
    const int big = std::max(1, files / 50);
    const std::size_t bigSize = total * 4 / 10 / std::size_t(big);
    const std::size_t smallSize = (total - bigSize * std::size_t(big)) / std::size_t(files - big);
    std::uniform_real_distribution<double> spread(0.2, 1.8);

    std::size_t written = 0;
    for (int i = 0; i < files; ++i) {
        const int package = i / 40;
        const bool isBig = i % 50 == 49;
        fs::path path = root / "node_modules" / ("pkg-" + std::to_string(package));
        std::string content;
        if (isBig && (i / 50) % 5 == 0) {
            path /= "prebuilt/addon-" + std::to_string(i) + ".node";
            content = binary(random, bigSize);
        } else if (isBig) {
            path /= "dist/bundle-" + std::to_string(i) + ".js";
            content = javascript(random, bigSize);
        } else {
            path /= (i % 3 == 0 ? "lib/" : "src/") + std::string("file-") + std::to_string(i) + ".js";
            content = javascript(random, std::size_t(double(smallSize) * spread(random)));
        }
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary).write(content.data(), std::streamsize(content.size()));
        written += content.size();
    }
    std::printf("%d files, %.1f MB in %s\n", files, double(written) / 1e6, root.c_str());
    return 0;
}
