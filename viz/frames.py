"""The weekly views as frames: one widget the page owns, drawn into directly while playing, whose browser
side says when it has put each frame into the page.

Solara re-renders by walking the whole page (its cost grows with every control on it: the levers), and it
sets the props of the widgets it makes from elements, so it would write an element's old markup back over a
newer frame. The views therefore live in a widget that Solara never sets (`FrameView`), drawn by a `Painter`
the page hands to its simulations (viz.live.ViewBox). The widget's Vue side copies each frame's number into
`shown` once the frame is in the page (and once it mounts), and the play loop sends a frame only while
fewer than IN_FLIGHT are on their way, so a browser slower than the model (a large region on a busy
machine) slows the loop instead of queueing frames: the page lags the model by at most a few frames, and
Pause stops it at once.

The widget's Vue side also downloads its charts: each chart of `viz.svg` sits in a `.abm-figure` with SVG and
PNG links (`data-download`), and one delegated click handler serialises the chart's `<svg>` (XMLSerializer)
or draws it on a canvas through an `Image` of a `blob:` URL, saved as `<metric>_week<W>.svg` or `.png`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import ipyvuetify as v
import traitlets

TEMPLATE = """<template>
  <div v-bind="attributes" v-html="unsafe_innerHTML" @click="download"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.shown = this.frame;
  },
  watch: {
    frame() {
      this.$nextTick(() => { this.shown = this.frame; });
    },
  },
  methods: {
    // One delegated handler for every chart's SVG and PNG link (viz.svg.figure): the page's CSP allows no
    // inline handlers, and the frame's markup is replaced every week.
    download(event) {
      const link = event.target.closest('[data-download]');
      const fig = link && link.closest('.abm-figure');
      const svg = fig && fig.querySelector('svg');
      if (!svg || !this.$el.contains(fig)) return;
      event.preventDefault();
      const box = svg.viewBox && svg.viewBox.baseVal;
      const width = Math.round((box && box.width) || svg.getBoundingClientRect().width);
      const height = Math.round((box && box.height) || svg.getBoundingClientRect().height);
      const copy = svg.cloneNode(true);
      copy.setAttribute('width', width);
      copy.setAttribute('height', height);
      copy.removeAttribute('style');
      const text = new XMLSerializer().serializeToString(copy);
      const blob = new Blob(['<?xml version="1.0" encoding="UTF-8"?>\\n', text], {type: 'image/svg+xml'});
      const name = fig.dataset.filename || 'chart';
      if (link.dataset.download !== 'png') {
        this.save(blob, name + '.svg');
        return;
      }
      const url = URL.createObjectURL(blob);
      const image = new Image();
      image.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d');
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, width, height);
        context.drawImage(image, 0, 0, width, height);
        URL.revokeObjectURL(url);
        canvas.toBlob((png) => this.save(png, name + '.png'), 'image/png');
      };
      image.src = url;
    },
    save(blob, name) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    },
  },
}
</script>
"""


class FrameView(v.VuetifyTemplate):
    """Trusted HTML (the app's own SVG and text, every value escaped by viz.svg) and the frame numbers."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    attributes = traitlets.Dict().tag(sync=True)
    unsafe_innerHTML = traitlets.Unicode("").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)  # the last frame sent
    shown = traitlets.Int(0).tag(sync=True)  # the last frame the browser has put into the page

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._seen = threading.Condition()
        self.observe(self._on_shown, "shown")

    def _on_shown(self, change: dict[str, object]) -> None:
        with self._seen:
            self._seen.notify_all()

    def send(self, html: str) -> None:
        """The frame and its number in one message."""
        with self.hold_sync():
            self.unsafe_innerHTML = html
            self.frame = self.frame + 1

    def wait_shown(self, timeout: float, behind: int = 0) -> bool:
        """Wait until the browser is at most `behind` frames behind the last frame sent (False after `timeout`
        seconds)."""
        with self._seen:
            return self._seen.wait_for(lambda: self.frame - self.shown <= behind, timeout)


IN_FLIGHT = 3  # frames on their way to the browser at most: hides the round trip, bounds the lag


class Painter:
    """Draws `html()` into a FrameView; `wait` holds the play loop while IN_FLIGHT frames are on their way."""

    def __init__(self, view: FrameView, html: Callable[[], str]) -> None:
        self.view, self.html = view, html

    def paint(self) -> None:
        self.view.send(self.html())

    def wait(self, timeout: float) -> bool:
        return self.view.wait_shown(timeout, behind=IN_FLIGHT - 1)
