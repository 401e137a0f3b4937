// The block in the editor: two fields, the campaign's name and the form's language. What
// visitors see is made by the plugin's PHP, so the page keeps working without this script.
( function ( blocks, element, blockEditor, components ) {
	var el = element.createElement;
	blocks.registerBlockType( 'tirelire/form', {
		edit: function ( props ) {
			var attributes = props.attributes;
			return el(
				'div',
				blockEditor.useBlockProps( { className: 'tirelire-block-editor' } ),
				el( components.TextControl, {
					label: 'Campagne (campaign)',
					help: 'Le nom de la campagne sur votre edge, par exemple jardin-2026.',
					value: attributes.campaign,
					onChange: function ( value ) {
						props.setAttributes( { campaign: value.trim().toLowerCase() } );
					},
				} ),
				el( components.SelectControl, {
					label: 'Langue (language)',
					value: attributes.locale,
					options: [
						{ label: 'Celle de la page (the page’s)', value: '' },
						{ label: 'Français', value: 'fr' },
						{ label: 'English', value: 'en' },
					],
					onChange: function ( value ) {
						props.setAttributes( { locale: value } );
					},
				} )
			);
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.blockEditor, window.wp.components );
