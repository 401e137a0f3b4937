<?php
/**
 * Removes what the plugin stored: its one option, on every site of a network.
 *
 * @package Tirelire
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $tirelire_site ) {
		switch_to_blog( $tirelire_site );
		delete_option( 'tirelire_edge_url' );
		restore_current_blog();
	}
} else {
	delete_option( 'tirelire_edge_url' );
}
