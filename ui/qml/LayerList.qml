pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// The image's layers as they build: name, files, size, compressed size, progress, a cache-hit
// mark and the short digest.
ColumnLayout {
    id: list

    required property LayerModel model

    spacing: 2

    component Cell: Label {
        property int cellWidth: 90
        Layout.preferredWidth: cellWidth
        horizontalAlignment: Text.AlignRight
        elide: Text.ElideRight
    }

    RowLayout {
        Layout.fillWidth: true
        Layout.leftMargin: 8
        Layout.rightMargin: 8
        spacing: 12
        opacity: 0.7
        Item { Layout.preferredWidth: 14 }
        Label { text: qsTr("Layer"); Layout.fillWidth: true; font.bold: true }
        Cell { text: qsTr("Files"); font.bold: true; cellWidth: 70 }
        Cell { text: qsTr("Size"); font.bold: true }
        Cell { text: qsTr("Compressed"); font.bold: true }
        Label { text: qsTr("Progress"); Layout.preferredWidth: 140; font.bold: true }
        Label { text: qsTr("Digest"); Layout.preferredWidth: 130; font.bold: true }
    }

    ListView {
        id: view

        objectName: "layerView"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: list.model
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        delegate: ItemDelegate {
            id: row

            required property int index
            required property string name
            required property string stateName
            required property var files
            required property var bytesIn
            required property var bytesOut
            required property real progress
            required property bool cached
            required property string shortDigest

            width: ListView.view.width
            padding: 4
            leftPadding: 8
            rightPadding: 8
            hoverEnabled: false

            contentItem: RowLayout {
                spacing: 12
                Label {
                    Layout.preferredWidth: 14
                    text: Theme.stateIcon(row.stateName)
                    color: Theme.stateColour(row.stateName, row.palette)
                }
                Label {
                    Layout.fillWidth: true
                    text: row.name
                    elide: Text.ElideRight
                }
                Cell { text: Number(row.files).toLocaleString(Qt.locale(), "f", 0); cellWidth: 70 }
                Cell { text: Theme.formatSize(row.bytesIn) }
                Cell { text: Theme.formatSize(row.bytesOut) }
                RowLayout {
                    // A nested layout fills by default; this column keeps its width.
                    Layout.fillWidth: false
                    Layout.preferredWidth: 140
                    ProgressBar {
                        Layout.fillWidth: true
                        value: row.progress
                    }
                    Label {
                        objectName: "cachedMark"
                        visible: row.cached
                        text: qsTr("cached")
                        color: Theme.okColour
                        font.pixelSize: 11
                    }
                }
                Label {
                    Layout.preferredWidth: 130
                    text: row.shortDigest
                    font.family: Theme.monospace
                    opacity: 0.8
                }
            }
        }

        Label {
            anchors.centerIn: parent
            visible: view.count === 0
            text: qsTr("Layers appear here while an image builds.")
            opacity: 0.6
        }
    }
}
