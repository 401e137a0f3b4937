<?php
/**
 * Plugin Name:       Tirelire
 * Description:       Places your association's Tirelire donation form in pages and posts, with a block or the [tirelire campaign="…"] shortcode.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Tirelire
 * License:           AGPL-3.0-or-later
 * License URI:       https://www.gnu.org/licenses/agpl-3.0.html
 * Text Domain:       tirelire
 *
 * @package Tirelire
 */

defined( 'ABSPATH' ) || exit;

/** The option that holds the edge's address. */
const TIRELIRE_EDGE_OPTION = 'tirelire_edge_url';

/**
 * The edge's origin, as set in Settings → Tirelire, or '' when not set yet.
 *
 * @return string
 */
function tirelire_edge_url() {
	$url = get_option( TIRELIRE_EDGE_OPTION, '' );
	return is_string( $url ) ? untrailingslashit( $url ) : '';
}

/**
 * Keeps only the origin of an address: https, or http on the machine itself for testing.
 *
 * @param mixed $value What was typed in the settings page.
 * @return string The origin, or '' if the address cannot be an edge.
 */
function tirelire_sanitize_edge_url( $value ) {
	$parts = wp_parse_url( trim( (string) $value ) );
	if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
		return '';
	}
	$scheme = strtolower( $parts['scheme'] );
	$host   = strtolower( $parts['host'] );
	$local  = in_array( $host, array( 'localhost', '127.0.0.1' ), true );
	if ( 'https' !== $scheme && ! ( 'http' === $scheme && $local ) ) {
		if ( function_exists( 'add_settings_error' ) ) {
			add_settings_error( TIRELIRE_EDGE_OPTION, 'tirelire-https', __( 'The edge address must start with https://.', 'tirelire' ) );
		}
		return tirelire_edge_url();
	}
	$port = isset( $parts['port'] ) ? ':' . (int) $parts['port'] : '';
	return $scheme . '://' . $host . $port;
}

/**
 * The form for a campaign: a placeholder the edge's script turns into the form, holding a
 * link to the edge's own form page for browsers where the script cannot run. The markup is the
 * same for every visitor, so page caches may keep it.
 *
 * @param string $campaign The campaign's slug.
 * @param string $locale   'fr', 'en' or '' for the page's language.
 * @return string HTML.
 */
function tirelire_form( $campaign, $locale = '' ) {
	$campaign = strtolower( trim( (string) $campaign ) );
	$edge     = tirelire_edge_url();
	if ( strlen( $campaign ) > 64 || ! preg_match( '/^[a-z0-9]+(?:-[a-z0-9]+)*$/', $campaign ) ) {
		return tirelire_notice( __( 'Tirelire: give the campaign’s name, such as jardin-2026.', 'tirelire' ) );
	}
	if ( '' === $edge ) {
		return tirelire_notice( __( 'Tirelire: set your edge’s address in Settings → Tirelire.', 'tirelire' ) );
	}
	// In the footer, with no version in the address: the edge serves its own current script.
	wp_enqueue_script( 'tirelire', $edge . '/widget/v1/tirelire.js', array(), null, true ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- the edge versions its own script.
	$locale = in_array( $locale, array( 'fr', 'en' ), true ) ? $locale : '';
	$link   = add_query_arg(
		array_filter(
			array(
				'campaign' => $campaign,
				'locale'   => $locale,
			)
		),
		$edge . '/widget/v1/page.html'
	);
	$label  = 0 === strpos( '' !== $locale ? $locale : determine_locale(), 'en' ) ? 'Give to this campaign' : 'Faire un don';
	return sprintf(
		'<div class="wp-block-tirelire-form" data-tirelire-campaign="%1$s"%2$s><a href="%3$s">%4$s</a></div>',
		esc_attr( $campaign ),
		'' !== $locale ? ' data-tirelire-locale="' . esc_attr( $locale ) . '"' : '',
		esc_url( $link ),
		esc_html( $label )
	);
}

/**
 * A problem with a form, shown to those who can edit the page and to nobody else.
 *
 * @param string $message What is wrong.
 * @return string HTML.
 */
function tirelire_notice( $message ) {
	if ( ! current_user_can( 'edit_posts' ) ) {
		return '';
	}
	return '<p class="tirelire-notice"><strong>' . esc_html( $message ) . '</strong></p>';
}

/**
 * The [tirelire campaign="…" locale="…"] shortcode.
 *
 * @param array|string $atts The shortcode's attributes.
 * @return string HTML.
 */
function tirelire_shortcode( $atts ) {
	$atts = shortcode_atts(
		array(
			'campaign' => '',
			'locale'   => '',
		),
		$atts,
		'tirelire'
	);
	return tirelire_form( $atts['campaign'], $atts['locale'] );
}
add_shortcode( 'tirelire', 'tirelire_shortcode' );

/**
 * Registers the setting (so that every way of saving it is sanitized) and the block. The edge's
 * script is enqueued by the forms themselves, so pages without one do not load it.
 */
function tirelire_init() {
	register_setting(
		'tirelire',
		TIRELIRE_EDGE_OPTION,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'tirelire_sanitize_edge_url',
			'default'           => '',
		)
	);
	register_block_type(
		__DIR__ . '/block.json',
		array(
			'render_callback' => static function ( $attributes ) {
				return tirelire_form(
					isset( $attributes['campaign'] ) ? $attributes['campaign'] : '',
					isset( $attributes['locale'] ) ? $attributes['locale'] : ''
				);
			},
		)
	);
}
add_action( 'init', 'tirelire_init' );

/**
 * Loads the edge's script without holding the page up.
 *
 * @param string $tag    The script's tag.
 * @param string $handle The script's handle.
 * @return string
 */
function tirelire_async( $tag, $handle ) {
	if ( 'tirelire' !== $handle || false !== strpos( $tag, ' async' ) ) {
		return $tag;
	}
	return str_replace( '<script ', '<script async ', $tag );
}
add_filter( 'script_loader_tag', 'tirelire_async', 10, 2 );

/**
 * Adds the settings page.
 */
function tirelire_menu() {
	add_options_page( 'Tirelire', 'Tirelire', 'manage_options', 'tirelire', 'tirelire_settings_page' );
}
add_action( 'admin_menu', 'tirelire_menu' );

/**
 * The settings page.
 */
function tirelire_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	?>
	<div class="wrap">
		<h1>Tirelire</h1>
		<form method="post" action="options.php">
			<?php settings_fields( 'tirelire' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="tirelire-edge"><?php esc_html_e( 'Your edge’s address', 'tirelire' ); ?></label></th>
					<td>
						<input type="url" id="tirelire-edge" class="regular-text" name="<?php echo esc_attr( TIRELIRE_EDGE_OPTION ); ?>"
							value="<?php echo esc_attr( tirelire_edge_url() ); ?>" placeholder="https://dons.example.org" />
						<p class="description"><?php esc_html_e( 'The address wrangler deploy printed, or your own domain for it. Then add the “Tirelire donation form” block, or [tirelire campaign="your-campaign"], where the form should appear.', 'tirelire' ); ?></p>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
	</div>
	<?php
}
