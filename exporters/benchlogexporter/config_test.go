package benchlogexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	withDefaults := func(f func(*Config)) *Config {
		c := createDefaultConfig().(*Config)
		f(c)
		return c
	}
	tests := []struct {
		id      component.ID
		want    *Config
		wantErr []error // each must be in the validation error
		errText string
	}{
		{
			id:   component.NewID(metadata.Type),
			want: withDefaults(func(c *Config) { c.Directory = "./runs" }),
		},
		{
			id: component.NewIDWithName(metadata.Type, "all_settings"),
			want: &Config{
				Directory:         "/var/lib/benchtrace/runs",
				TimeZone:          "UTC",
				IdleTimeout:       2 * time.Hour,
				MaxPendingRuns:    10,
				MaxWrittenRuns:    20,
				MaxSpansPerRun:    500,
				MaxAttributeBytes: 1024,
				MaxHeldBytes:      64 << 20,
				Checkpoints:       false,
				WALFsync:          true,
			},
		},
		{
			id:   component.NewIDWithName(metadata.Type, "paris"),
			want: withDefaults(func(c *Config) { c.Directory = "./runs"; c.TimeZone = "Europe/Paris" }),
		},
		{
			id:      component.NewIDWithName(metadata.Type, "no_directory"),
			wantErr: []error{errNoDirectory},
		},
		{
			id:      component.NewIDWithName(metadata.Type, "bad_time_zone"),
			errText: `time_zone "Mars/Olympus_Mons"`,
		},
		{
			id:      component.NewIDWithName(metadata.Type, "bad_limits"),
			wantErr: []error{errIdleTimeout, errMaxPendingRuns, errMaxWrittenRuns, errMaxSpansPerRun, errMaxAttributeBytes, errMaxHeldBytes},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			err = xconfmap.Validate(cfg)
			if tt.want == nil {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.ErrorIs(t, err, want)
				}
				if tt.errText != "" {
					assert.ErrorContains(t, err, tt.errText)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestConfigLocation(t *testing.T) {
	for _, tt := range []struct {
		zone string
		want *time.Location
	}{
		{"", time.Local},
		{"Local", time.Local},
		{"UTC", time.UTC},
	} {
		loc, err := (&Config{TimeZone: tt.zone}).location()
		require.NoError(t, err)
		assert.Equal(t, tt.want, loc, tt.zone)
	}
	loc, err := (&Config{TimeZone: "Asia/Tokyo"}).location()
	require.NoError(t, err)
	assert.Equal(t, "Asia/Tokyo", loc.String())
}
