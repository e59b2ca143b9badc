pragma Singleton
import QtQuick

// The few colours that are not the system palette's: log levels and stage results. Each is
// chosen to read on both light and dark backgrounds.
QtObject {
    readonly property color debugColour: "#8a8a8a"
    readonly property color warningColour: "#d08700"
    readonly property color errorColour: "#e5484d"
    readonly property color okColour: "#30a46c"
    readonly property string monospace: "monospace"

    function levelColour(level: string, text: color): color {
        switch (level) {
        case "debug": return debugColour
        case "warning": return warningColour
        case "error": return errorColour
        default: return text
        }
    }

    function stateIcon(state: string): string {
        switch (state) {
        case "running": return "◐"
        case "done": return "✓"
        case "cached": return "✓"
        case "failed": return "✗"
        case "cancelled": return "■"
        default: return "○"
        }
    }

    function stateColour(state: string, pal: var): color {
        switch (state) {
        case "running": return pal.highlight
        case "done": return okColour
        case "cached": return okColour
        case "failed": return errorColour
        case "cancelled": return warningColour
        default: return pal.mid
        }
    }

    function formatSize(bytes: real): string {
        if (bytes < 0)
            return "…"
        const units = ["B", "kB", "MB", "GB", "TB"]
        let value = bytes
        let unit = 0
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000
            ++unit
        }
        return (unit === 0 ? value.toFixed(0) : value.toFixed(1)) + " " + units[unit]
    }
}
