<?php
/**
 * Runs the Tirelire plugin in a real WordPress (Debian's package) on a throwaway MariaDB, and
 * prints what it produced as JSON, for tests/wordpress/plugin.test.mjs to check.
 *
 *   php wordpress.php install|render|uninstall SOCKET PLUGINS_DIR CONTENT_DIR
 *
 * @package Tirelire
 */

list( , $tirelire_phase, $tirelire_socket, $tirelire_plugins, $tirelire_content ) = $argv;

$_SERVER['HTTP_HOST']       = 'wordpress.test';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:' . $tirelire_socket );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', $tirelire_content );
define( 'WP_PLUGIN_DIR', $tirelire_plugins );
define( 'WP_HOME', 'http://wordpress.test' );
define( 'WP_SITEURL', 'http://wordpress.test' );
define( 'ABSPATH', '/usr/share/wordpress/' );
$table_prefix = 'wp_';
if ( 'install' === $tirelire_phase ) {
	define( 'WP_INSTALLING', true );
}
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
// No mail leaves this machine.
add_filter( 'pre_wp_mail', '__return_true' );

if ( 'install' === $tirelire_phase ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	wp_install( 'Les Amis du Jardin Partagé', 'tresorerie', 'tresorerie@example.org', true, '', wp_generate_password() );
	$tirelire_activated = activate_plugin( 'tirelire/tirelire.php' );
	echo wp_json_encode( array( 'activated' => ! is_wp_error( $tirelire_activated ) ) );
	exit;
}

if ( 'uninstall' === $tirelire_phase ) {
	uninstall_plugin( 'tirelire/tirelire.php' );
	global $wpdb;
	echo wp_json_encode(
		array(
			'option'  => get_option( 'tirelire_edge_url', null ),
			'leftover' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '%tirelire%'" ),
		)
	);
	exit;
}

$tirelire_out = array();
// Without an edge, a visitor sees nothing, and an editor is told what to set.
$tirelire_out['unset_visitor'] = do_shortcode( '[tirelire campaign="jardin-2026"]' );

// The settings page's value, as the Settings API would store it.
$tirelire_out['refused_http'] = tirelire_sanitize_edge_url( 'http://dons.example.org' );
update_option( 'tirelire_edge_url', 'https://Dons.Example.org/some/path?x=1' );
$tirelire_out['edge']          = get_option( 'tirelire_edge_url' );
$tirelire_out['shortcode']     = do_shortcode( '[tirelire campaign="jardin-2026"]' );
$tirelire_out['shortcode_en']  = do_shortcode( '[tirelire campaign="Jardin-2026" locale="en"]' );
$tirelire_out['block']         = do_blocks( '<!-- wp:tirelire/form {"campaign":"ruches-2026","locale":"en"} /-->' );
$tirelire_out['bad_visitor']   = do_shortcode( '[tirelire campaign="<script>alert(1)</script>"]' );
$tirelire_out['block_known']   = WP_Block_Type_Registry::get_instance()->is_registered( 'tirelire/form' );

// An author may not write <script> on a page (no unfiltered_html), yet can place a form.
$tirelire_author = wp_insert_user(
	array(
		'user_login' => 'autrice',
		'user_pass'  => wp_generate_password(),
		'user_email' => 'autrice@example.org',
		'role'       => 'author',
	)
);
wp_set_current_user( $tirelire_author );
$tirelire_out['author_may_write_scripts'] = current_user_can( 'unfiltered_html' );
$tirelire_out['bad_editor']               = do_shortcode( '[tirelire campaign="Pas valide !"]' );
$tirelire_post                            = wp_insert_post(
	array(
		'post_title'   => 'Faire un don',
		'post_content' => "<script src=\"https://dons.example.org/widget/v1/tirelire.js\"></script>\n[tirelire campaign=\"jardin-2026\"]",
		'post_status'  => 'publish',
		'post_type'    => 'post',
	)
);
wp_set_current_user( 0 );
$tirelire_saved                  = get_post( $tirelire_post )->post_content;
$tirelire_out['author_saved']    = $tirelire_saved;
$tirelire_out['author_rendered'] = apply_filters( 'the_content', $tirelire_saved );

// The edge's script: in the footer, once, async, at the edge's stable address. The head is
// printed first, as a theme's wp_head() would, which is when footer scripts are set aside.
ob_start();
wp_print_head_scripts();
$tirelire_out['head'] = ob_get_clean();
ob_start();
wp_print_footer_scripts();
$tirelire_out['footer'] = ob_get_clean();

echo wp_json_encode( $tirelire_out );
