package report_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/benchtrace/benchtrace/bench/internal/report"
)

func runMain(m *testing.M) int {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			return 1
		}
	}
	return code
}

// chromium returns the browser the test drives: $BENCHTRACE_CHROMIUM, or
// chromium on the PATH (make deps installs Debian's).
func chromium(t *testing.T) string {
	if p := os.Getenv("BENCHTRACE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on the PATH (make deps installs it)")
	return ""
}

// TestInBrowser opens a report in headless Chromium from a file: URL, as a
// reviewer opens a CI artifact, and checks that it loads without a console
// message of level error or warning, an exception or a request for
// anything but the file itself; that every chart is in the rendered DOM
// with a size and marks; that the regressions are marked in words; and
// that a screenshot of it is not blank. The screenshot is left in
// $BENCHTRACE_SCREENSHOT when that is set.
func TestInBrowser(t *testing.T) {
	bin := chromium(t)
	runs, base := fixture(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, runs, report.Options{Source: "logs", Baseline: base, BaselineSource: "main-logs"}))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o644))

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// Open the tab, then listen to it before anything is loaded.
	require.NoError(t, chromedp.Do(bctx))
	var mu sync.Mutex
	var problems, requests []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning ||
				ev.Type == runtime.ConsoleAPICalledTypeAssert {
				problems = append(problems, "console."+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, "log: "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		}
	}))
	_, err := chromedp.Call(bctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(bctx, log.Enable, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.Call(bctx, runtime.Enable, cdp.Empty{})
	require.NoError(t, err)

	fileURL := (&url.URL{Scheme: "file", Path: page}).String()
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	type domInfo struct {
		Charts, Drawn, Dots, Worse int
		WorseInWords               bool
		Title                      string
	}
	dom, err := chromedp.Run(bctx, chromedp.Evaluate[domInfo](`(() => {
		const svgs = [...document.querySelectorAll('svg.chart')];
		const worse = [...document.querySelectorAll('tr.worse')];
		return {
			Charts: svgs.length,
			Drawn: svgs.filter(s => { const r = s.getBoundingClientRect();
				return r.width > 200 && r.height > 100 && s.querySelectorAll('rect, path, circle').length > 0; }).length,
			Dots: document.querySelectorAll('svg.chart circle.dot').length,
			Worse: worse.length,
			WorseInWords: worse.length > 0 && worse.every(tr => tr.textContent.includes('worse')),
			Title: document.title,
		};
	})()`))
	require.NoError(t, err)
	shot, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	cancelBrowser()
	cancelAlloc()

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems, "console errors, warnings or exceptions")
	for _, u := range requests {
		assert.True(t, strings.HasPrefix(u, "file:"), "the page fetched %s", u)
	}
	assert.Equal(t, "benchtrace report", dom.Title)
	assert.Equal(t, 12, dom.Charts)
	assert.Equal(t, dom.Charts, dom.Drawn, "every chart is laid out with a size and marks")
	assert.Greater(t, dom.Dots, 3*3*20, "a dot per run in each series")
	assert.Positive(t, dom.Worse)
	assert.True(t, dom.WorseInWords, "a regression says so in words, not by color alone")

	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	assert.Greater(t, inked(img), 0.03, "the screenshot is not blank")
	if out := os.Getenv("BENCHTRACE_SCREENSHOT"); out != "" {
		require.NoError(t, os.WriteFile(out, shot, 0o644))
	}
}

// inked returns the share of the image's pixels that differ from its
// top-left pixel, the page's background.
func inked(img image.Image) float64 {
	bg := color.RGBAModel.Convert(img.At(0, 0)).(color.RGBA)
	r := img.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) != bg {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}
