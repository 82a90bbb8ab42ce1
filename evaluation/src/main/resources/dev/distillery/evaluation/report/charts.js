// Draws report.html's charts with the inlined ECharts library from the embedded report data.
// SVG rendering keeps the charts crisp when printed; animation is off so a printout or screenshot is complete.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var charts = [];
  window.distilleryCharts = charts;

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: 'svg' });
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }

  function pct(v) { return (v * 100).toFixed(2) + ' %'; }

  data.profiles.forEach(function (p, i) {
    var pass = [], fail = [];
    p.points.forEach(function (pt) {
      var point = { name: pt.variant, value: [pt.latency_ms, pt.accuracy * 100] };
      (pt.passed && pt.candidate ? pass : fail).push(point);
    });
    var front = p.pareto.map(function (name) {
      var pt = p.points.filter(function (x) { return x.variant === name; })[0];
      return [pt.latency_ms, pt.accuracy * 100];
    });
    make('chart-profile-' + i, {
      title: { text: 'Accuracy vs estimated latency: ' + p.id, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item', formatter: function (x) {
        return x.seriesName === 'Pareto front' ? '' : x.name + '<br>' + x.value[0].toPrecision(3) + ' ms, '
          + x.value[1].toFixed(2) + ' %'; } },
      legend: { top: 22, data: ['passes gate', 'fails gate or reference', 'Pareto front'] },
      grid: { top: 60, left: 60, right: 30, bottom: 45 },
      xAxis: { type: 'log', name: 'latency (ms, log)', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'accuracy (%)', scale: true },
      series: [
        { name: 'passes gate', type: 'scatter', symbolSize: 12, data: pass, itemStyle: { color: '#1a7f37' },
          label: { show: true, position: 'right', formatter: '{b}', fontSize: 10 } },
        { name: 'fails gate or reference', type: 'scatter', symbolSize: 10, data: fail,
          itemStyle: { color: '#b42318' }, label: { show: true, position: 'right', formatter: '{b}', fontSize: 10 } },
        { name: 'Pareto front', type: 'line', data: front, symbol: 'none', lineStyle: { type: 'dashed' },
          itemStyle: { color: '#4f7cac' } }
      ]
    });
  });

  var names = data.variants.map(function (v) { return v.name; });
  make('chart-size', {
    title: { text: 'Model file size per variant', textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 150, right: 40, top: 40, bottom: 30 },
    xAxis: { type: 'value', name: 'KiB' },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [{ type: 'bar', data: data.variants.map(function (v) { return +(v.size_bytes / 1024).toFixed(1); }),
      itemStyle: { color: '#4f7cac' }, label: { show: true, position: 'right' } }]
  });
  make('chart-macs', {
    title: { text: 'MACs per inference per variant', textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 150, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'value', name: 'M MACs' },
    yAxis: { type: 'category', data: names, inverse: true },
    series: [{ type: 'bar', data: data.variants.map(function (v) { return v.macs === null ? null : +(v.macs / 1e6).toFixed(3); }),
      itemStyle: { color: '#8250df' }, label: { show: true, position: 'right' } }]
  });

  data.variants.forEach(function (v, i) {
    if (!v.confusion) { return; }
    var n = v.confusion.length, cells = [], max = 1, classes = [];
    for (var t = 0; t < n; t++) {
      classes.push(data.classes[t] || String(t));
      for (var p = 0; p < n; p++) {
        cells.push([p, t, v.confusion[t][p]]);
        max = Math.max(max, v.confusion[t][p]);
      }
    }
    make('chart-confusion-' + i, {
      title: { text: 'Confusion matrix: ' + v.name + ' (' + pct(v.accuracy) + ')', textStyle: { fontSize: 13 } },
      tooltip: { formatter: function (x) { return 'true ' + classes[x.value[1]] + ', predicted '
        + classes[x.value[0]] + ': ' + x.value[2]; } },
      grid: { left: 80, right: 20, top: 40, bottom: 95 },
      xAxis: { type: 'category', data: classes, name: 'predicted', nameLocation: 'middle', nameGap: 50,
        axisLabel: { rotate: 45, fontSize: 9 } },
      yAxis: { type: 'category', data: classes, name: 'true', inverse: true, axisLabel: { fontSize: 9 } },
      visualMap: { min: 0, max: max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
        itemHeight: 120, inRange: { color: ['#f7fbff', '#08306b'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: n <= 12, fontSize: 9 } }]
    });
  });
})();
