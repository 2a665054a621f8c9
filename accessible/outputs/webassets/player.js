/* Listen-along player: highlights the sentence (and word) being spoken, plays from any
   sentence, remembers the place per book. Plain ES2017, no network, works from file://.

   Screen readers: the moving highlight is a class only (no live region, no focus moves),
   so nothing is announced while the voice reads; aria-current marks a sentence only when
   the reader moved there on purpose (click, Enter, previous/next, restored place). */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  var dataNode = doc.getElementById('book-data');
  var audio = doc.getElementById('audio');
  if (!dataNode || !audio) return;
  var book = JSON.parse(dataNode.textContent);
  var chapters = book.chapters;
  var wordSync = book.sync === 'word';
  var placeKey = 'accessible:place:' + book.key;
  var settingsKey = 'accessible:settings';
  var EPS = 0.001;

  // Every playable sentence in reading order: {id, el, ch, index, start, end, words}.
  var items = [];
  var byId = Object.create(null);
  chapters.forEach(function (c, ch) {
    c.items = [];
    c.s.forEach(function (row) {
      var el = doc.getElementById(row[0]);
      if (!el) return;
      var item = { id: row[0], el: el, ch: ch, index: items.length, start: row[1], end: row[2], words: row[3] || null, wordEls: null };
      c.items.push(item);
      items.push(item);
      byId[item.id] = item;
    });
  });
  if (!items.length) return;

  var playButton = doc.getElementById('play');
  var where = doc.getElementById('where');
  var player = doc.getElementById('player');
  var rateSelect = doc.getElementById('rate');
  var themeButton = doc.getElementById('theme');
  var pinyinButton = doc.getElementById('pinyin');

  var loaded = -1;        // chapter whose audio is in the element (-1: none yet, loaded lazily)
  var pendingTime = null; // seek to apply once the chapter's metadata is in
  var pos = { ch: items[0].ch, t: items[0].start }; // where playback is or will start
  var current = null;     // highlighted sentence
  var currentWord = null; // highlighted word element
  var tabStop = null;     // the one sentence in the tab order (roving tabindex)
  var frame = 0;
  var lastSave = 0;
  var lastUserScroll = -1e9;
  var settings = load(settingsKey) || {};

  // --- storage (may be unavailable: private mode, file:// policies) ---------------------
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* place not kept */ }
  }

  // --- position -------------------------------------------------------------------------
  function here() {
    if (loaded < 0) return pos;
    return { ch: loaded, t: pendingTime !== null ? pendingTime : audio.currentTime };
  }

  function itemAt(ch, t) {
    var list = chapters[ch].items;
    if (!list.length) return null;
    var lo = 0, hi = list.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid].start <= t + EPS) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return list[found];
  }

  function applyRate() {
    var rate = parseFloat(rateSelect.value) || 1;
    audio.preservesPitch = true;
    if ('webkitPreservesPitch' in audio) audio.webkitPreservesPitch = true;
    audio.defaultPlaybackRate = rate; // a new source resets playbackRate to this
    audio.playbackRate = rate;
  }

  /* Move playback to time t of chapter ch; the chapter's audio is fetched only when it
     is to be heard (preload="none"), so moving around while paused costs nothing. */
  function seek(ch, t, play) {
    var c = chapters[ch];
    if (!c || !c.audio) return;
    var keepPlaying = play || !audio.paused;
    pos = { ch: ch, t: t };
    if (loaded === ch && audio.readyState >= 1) {
      pendingTime = null;
      audio.currentTime = t;
    } else if (loaded === ch || !keepPlaying) {
      pendingTime = t;
      if (loaded !== ch && loaded >= 0) { audio.pause(); loaded = -1; }
    } else {
      loaded = ch;
      pendingTime = t;
      audio.src = c.audio;
      applyRate();
    }
    if (keepPlaying) start();
    showWhere();
    save(true);
  }

  function start() {
    if (loaded !== pos.ch) { seek(pos.ch, pendingTime !== null ? pendingTime : pos.t, true); return; }
    var promise = audio.play();
    if (promise && promise.catch) promise.catch(function (e) { if (e.name !== 'AbortError') showPaused(); });
    loop();
  }

  function togglePlay() {
    if (audio.paused) start(); else audio.pause();
  }

  function playFrom(item) {
    seek(item.ch, item.start, true);
    mark(item, true);
  }

  function moveTo(item) {
    if (!item) return;
    seek(item.ch, item.start, false);
    mark(item, true);
  }

  function step(delta) {
    var p = here();
    var base = current || itemAt(p.ch, p.t);
    moveTo(items[base.index + delta]);
  }

  function stepChapter(delta) {
    var base = current ? current.ch : here().ch;
    for (var ch = base + delta; ch >= 0 && ch < chapters.length; ch += delta) {
      if (chapters[ch].audio && chapters[ch].items.length) { moveTo(chapters[ch].items[0]); return; }
    }
  }

  // --- highlight ------------------------------------------------------------------------
  function mark(item, explicit, scroll) {
    if (current && current !== item) {
      current.el.classList.remove('current');
      current.el.removeAttribute('aria-current');
      markWord(null);
    }
    current = item;
    if (!item) return;
    item.el.classList.add('current');
    if (explicit) item.el.setAttribute('aria-current', 'true');
    rove(item.el);
    if (scroll === false) return;
    if (explicit || Date.now() - lastUserScroll > 4000) reveal(item.el);
  }

  function markWord(el) {
    if (el === currentWord) return;
    if (currentWord) currentWord.classList.remove('current');
    currentWord = el;
    if (el) el.classList.add('current');
  }

  function follow() {
    if (loaded < 0) return;
    var t = pendingTime !== null ? pendingTime : audio.currentTime;
    var item = itemAt(loaded, t);
    if (item !== current) mark(item, false);
    if (wordSync && item && item.words) {
      if (!item.wordEls) item.wordEls = item.el.querySelectorAll('.w');
      var el = null;
      for (var i = item.words.length - 1; i >= 0; i--) {
        if (item.words[i][0] <= t + EPS) { el = item.wordEls[i] || null; break; }
      }
      markWord(el);
    }
  }

  function loop() {
    cancelAnimationFrame(frame);
    follow();
    showWhere();
    if (!audio.paused) frame = requestAnimationFrame(loop);
  }

  function rove(el) {
    if (tabStop === el) return;
    if (tabStop) tabStop.tabIndex = -1;
    el.tabIndex = 0;
    tabStop = el;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function topInset() {
    return getComputedStyle(player).position === 'sticky' ? player.getBoundingClientRect().bottom : 0;
  }

  function reveal(el) {
    var r = el.getBoundingClientRect();
    var top = topInset();
    var view = window.innerHeight - top;
    if (r.top >= top && r.bottom <= window.innerHeight) return;
    el.scrollIntoView({ block: r.height > view ? 'start' : 'center', behavior: reducedMotion() ? 'auto' : 'smooth' });
  }

  // --- display and storage of the place -------------------------------------------------
  function clock(t) {
    t = Math.max(0, Math.floor(t));
    var m = Math.floor(t / 60), s = t % 60;
    return m + ':' + (s < 10 ? '0' : '') + s;
  }

  function showWhere() {
    var p = here();
    var c = chapters[p.ch];
    var failed = loaded === p.ch && audio.error; // a missing or unreadable chapter file
    where.textContent = c.title + '　' + (failed ? '无法播放本章音频' : clock(p.t) + ' / ' + clock(c.duration));
  }

  function showPaused() {
    playButton.textContent = '播放';
    save(true);
  }

  function save(now) {
    var t = Date.now();
    if (!now && t - lastSave < 1000) return;
    lastSave = t;
    var p = here();
    store(placeKey, { chapter: chapters[p.ch].id, time: Math.round(p.t * 1000) / 1000 });
  }

  function restore() {
    var saved = load(placeKey);
    if (!saved) return false;
    for (var ch = 0; ch < chapters.length; ch++) {
      var c = chapters[ch];
      if (c.id !== saved.chapter || !c.audio || !c.items.length) continue;
      var t = Math.min(Math.max(0, +saved.time || 0), c.duration);
      pos = { ch: ch, t: t };
      pendingTime = t;
      mark(itemAt(ch, t), true, !location.hash);
      return true;
    }
    return false;
  }

  // --- settings -------------------------------------------------------------------------
  function setPressed(button, on, className) {
    if (!button) return;
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    root.classList.toggle(className, on);
  }

  function applySettings() {
    if (settings.rate && rateSelect.querySelector('option[value="' + settings.rate + '"]')) rateSelect.value = settings.rate;
    applyRate();
    var contrast = settings.contrast;
    if (contrast === undefined) contrast = !!(window.matchMedia && matchMedia('(prefers-contrast: more)').matches);
    setPressed(themeButton, contrast, 'hc');
    if (pinyinButton) {
      pinyinButton.setAttribute('aria-pressed', settings.pinyin ? 'true' : 'false');
      root.classList.toggle('pinyin-off', !settings.pinyin);
    }
  }

  // --- events ---------------------------------------------------------------------------
  function itemOf(target) {
    var el = target && target.closest ? target.closest('.s') : null;
    return el ? byId[el.id] || null : null;
  }

  playButton.addEventListener('click', togglePlay);
  doc.getElementById('prev').addEventListener('click', function () { step(-1); });
  doc.getElementById('next').addEventListener('click', function () { step(1); });
  doc.getElementById('prev-chapter').addEventListener('click', function () { stepChapter(-1); });
  doc.getElementById('next-chapter').addEventListener('click', function () { stepChapter(1); });
  rateSelect.addEventListener('change', function () {
    settings.rate = rateSelect.value;
    store(settingsKey, settings);
    applyRate();
  });
  themeButton.addEventListener('click', function () {
    settings.contrast = themeButton.getAttribute('aria-pressed') !== 'true';
    store(settingsKey, settings);
    applySettings();
  });
  if (pinyinButton) pinyinButton.addEventListener('click', function () {
    settings.pinyin = !settings.pinyin;
    store(settingsKey, settings);
    applySettings();
  });

  doc.addEventListener('click', function (e) {
    var item = itemOf(e.target);
    var selection = window.getSelection && window.getSelection();
    if (!item || (selection && !selection.isCollapsed)) return; // selecting text is not a click to play
    playFrom(item);
  });

  doc.addEventListener('keydown', function (e) {
    var item = itemOf(e.target);
    if (!item || e.altKey || e.ctrlKey || e.metaKey) return;
    var next = null;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      playFrom(item);
      return;
    }
    if (e.key === 'ArrowDown') next = items[item.index + 1];
    else if (e.key === 'ArrowUp') next = items[item.index - 1];
    if (!next) return;
    e.preventDefault();
    rove(next.el);
    next.el.focus();
  });

  // A table-of-contents link moves the place to that chapter or section; the browser still
  // scrolls there, and focus goes to its first sentence so Tab and Enter continue from it.
  var nav = doc.querySelector('nav');
  if (nav) nav.addEventListener('click', function (e) {
    var link = e.target.closest ? e.target.closest('a[href^="#"]') : null;
    var target = link && doc.getElementById(decodeURIComponent(link.hash.slice(1)));
    var first = target && itemOf(target.querySelector('.s[tabindex]'));
    if (!first) return;
    seek(first.ch, first.start, false);
    mark(first, true, false);
    setTimeout(function () { first.el.focus({ preventScroll: true }); }, 0);
  });

  // "Go to page": a print page's mark; the place moves to the sentence the page starts in
  // (or the first one after it), so playing goes on from that page.
  var pageForm = doc.getElementById('goto-page');
  function goToPage(number) {
    var pageMark = number && doc.getElementById('page-' + number);
    doc.getElementById('page-status').textContent = pageMark ? '' : '没有第' + number + '页';
    if (!pageMark) return;
    var item = itemOf(pageMark);
    var all = doc.querySelectorAll('.s[tabindex]');
    for (var i = 0; !item && i < all.length; i++) {
      if (pageMark.compareDocumentPosition(all[i]) & Node.DOCUMENT_POSITION_FOLLOWING) item = byId[all[i].id] || null;
    }
    pageMark.scrollIntoView({ block: 'center', behavior: reducedMotion() ? 'auto' : 'smooth' });
    if (!item) return;
    seek(item.ch, item.start, false);
    mark(item, true, false);
    item.el.focus({ preventScroll: true });
  }
  if (pageForm) {
    pageForm.addEventListener('submit', function (e) {
      e.preventDefault();
      goToPage(doc.getElementById('page-number').value.trim());
    });
    pageForm.parentNode.addEventListener('click', function (e) {
      var link = e.target.closest ? e.target.closest('a[href^="#page-"]') : null;
      if (!link) return;
      e.preventDefault();
      goToPage(decodeURIComponent(link.hash.slice('#page-'.length)));
    });
  }

  window.addEventListener('wheel', function () { lastUserScroll = Date.now(); }, { passive: true });
  window.addEventListener('touchmove', function () { lastUserScroll = Date.now(); }, { passive: true });

  audio.addEventListener('loadedmetadata', function () {
    if (pendingTime !== null) {
      var t = pendingTime;
      pendingTime = null;
      if (Math.abs(audio.currentTime - t) > EPS) audio.currentTime = t;
    }
  });
  audio.addEventListener('play', function () { playButton.textContent = '暂停'; loop(); });
  audio.addEventListener('pause', showPaused);
  audio.addEventListener('error', function () { showPaused(); showWhere(); });
  audio.addEventListener('seeked', function () { follow(); showWhere(); save(true); });
  audio.addEventListener('timeupdate', function () { follow(); showWhere(); save(false); });
  audio.addEventListener('ended', function () {
    for (var ch = loaded + 1; ch < chapters.length; ch++) {
      if (chapters[ch].audio && chapters[ch].items.length) { seek(ch, 0, true); return; }
    }
    showPaused();
  });
  window.addEventListener('pagehide', function () { save(true); });

  // The sticky player must not cover the sentence scrolled to (anchors, scrollIntoView), nor
  // take much of a small or enlarged view: then it scrolls with the page.
  function measurePlayer() {
    root.classList.toggle('player-flows', player.offsetHeight > window.innerHeight / 3);
    root.style.setProperty('--player-height', player.offsetHeight + 'px');
  }
  if (window.ResizeObserver) new ResizeObserver(measurePlayer).observe(player);
  window.addEventListener('resize', measurePlayer);
  measurePlayer();

  applySettings();
  if (!restore()) rove(items[0].el);
  showWhere();
  root.setAttribute('data-player', 'ready');
  if (window.performance && performance.mark) performance.mark('player-ready');
})();
